package org.qmp4j.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension that boots a {@link TestGuest} and tears it down after the test, also when
 * the test fails. Registered on a static field ({@code @RegisterExtension static}) the guest
 * serves the whole class; on an instance field each test gets a fresh guest.
 *
 * <pre>{@code
 * @RegisterExtension
 * final TestGuestExtension vm = TestGuestExtension.with(TestGuest.builder().disks(2).workload(true));
 * ...
 * vm.guest().qmpSocket();
 * }</pre>
 */
public final class TestGuestExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback {
    private final TestGuest.Options options;
    private TestGuest guest;
    private boolean perClass;

    private TestGuestExtension(TestGuest.Options options) {
        this.options = options;
    }

    /** An extension that boots guests with these settings. */
    public static TestGuestExtension with(TestGuest.Builder builder) {
        return new TestGuestExtension(builder.options());
    }

    /** The running guest. */
    public TestGuest guest() {
        if (guest == null) {
            throw new IllegalStateException("no guest is running (extension not registered?)");
        }
        return guest;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        perClass = true;
        guest = TestGuest.start(options);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        closeGuest();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!perClass) {
            guest = TestGuest.start(options);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!perClass) {
            closeGuest();
        }
    }

    private void closeGuest() {
        if (guest != null) {
            try {
                guest.close();
            } finally {
                guest = null;
            }
        }
    }
}
