package org.qmp4j.qmp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Version comparison and display. */
class QemuVersionTest {
    private static final QemuVersion V7_2_22 = new QemuVersion(7, 2, 22, "Debian 1:7.2+dfsg-7+deb12u18");

    @Test
    void atLeastComparesMajorThenMinor() {
        assertThat(V7_2_22.atLeast(7, 2)).isTrue();
        assertThat(V7_2_22.atLeast(7, 1)).isTrue();
        assertThat(V7_2_22.atLeast(6, 9)).isTrue();
        assertThat(V7_2_22.atLeast(7, 3)).isFalse();
        assertThat(V7_2_22.atLeast(8, 0)).isFalse();
        assertThat(new QemuVersion(10, 0, 0, "").atLeast(9, 2)).isTrue();
    }

    @Test
    void ordersByMajorMinorMicroIgnoringThePackage() {
        assertThat(V7_2_22).isGreaterThan(new QemuVersion(7, 2, 9, ""))
                .isLessThan(new QemuVersion(7, 10, 0, ""))
                .isLessThan(new QemuVersion(8, 0, 0, ""))
                .isEqualByComparingTo(new QemuVersion(7, 2, 22, "other build"));
    }

    @Test
    void toStringShowsThePackageOnlyWhenThereIsOne() {
        assertThat(V7_2_22).hasToString("7.2.22 (Debian 1:7.2+dfsg-7+deb12u18)");
        assertThat(new QemuVersion(8, 1, 0, "")).hasToString("8.1.0");
        assertThat(new QemuVersion(8, 1, 0, " ")).hasToString("8.1.0");
        assertThat(new QemuVersion(8, 1, 0, null)).hasToString("8.1.0");
    }
}
