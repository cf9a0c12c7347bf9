package org.qmp4j.snapshot.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RandomIdsTest {

    @Test
    void idsHaveTheirFullWidthEvenWithLeadingZeros() {
        Set<String> seen = new HashSet<>();
        boolean leadingZero = false;
        for (int i = 0; i < 20_000; i++) {
            String short8 = RandomIds.hex8();
            String long16 = RandomIds.hex16();
            assertThat(short8).matches("[0-9a-f]{8}");
            assertThat(long16).matches("[0-9a-f]{16}");
            leadingZero |= short8.startsWith("0");
            seen.add(short8);
        }
        assertThat(leadingZero).as("one in 16 starts with 0: the padding was exercised").isTrue();
        assertThat(seen).hasSizeGreaterThan(19_900);
    }
}
