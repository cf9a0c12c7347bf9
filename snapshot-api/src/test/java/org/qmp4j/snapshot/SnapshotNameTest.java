package org.qmp4j.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SnapshotNameTest {
    @ParameterizedTest
    @ValueSource(strings = {"nightly", "s1", "before-upgrade_2", "a.b", "snap-20261202-210000", "_x", "-y"})
    void namesThatAreSafeInFileNamesPass(String name) {
        assertThat(SnapshotName.isValid(name)).isTrue();
        assertThat(SnapshotName.check(name)).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".hidden", "a..b", "..", "a/b", "../up", "with space", "x:y", "ünicode", "a\nb"})
    void namesThatCouldEscapeOrHideAreRefused(String name) {
        assertThat(SnapshotName.isValid(name)).isFalse();
        assertThatThrownBy(() -> SnapshotName.check(name)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + name + "'").hasMessageContaining(SnapshotName.RULE);
    }

    @Test
    void nullAndOverlongNamesAreRefused() {
        assertThat(SnapshotName.isValid(null)).isFalse();
        assertThat(SnapshotName.isValid("a".repeat(64))).isTrue();
        assertThat(SnapshotName.isValid("a".repeat(65))).isFalse();
    }
}
