package org.qmp4j.qmp.testing;

import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.qmp.QmpOptions;
import org.qmp4j.testkit.QemuProcess;

/**
 * JUnit 5 extension for a {@code -machine none} QEMU and one connected client. On a static field
 * the class shares them; on an instance field each test gets its own. Closes the client and QEMU
 * afterwards, also when a test failed.
 */
public final class QemuClientExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback {
    private final List<String> qemuArgs;
    private final UnaryOperator<QmpOptions.Builder> clientOptions;
    private QemuProcess qemu;
    private QmpClient client;
    private boolean perClass;

    private QemuClientExtension(List<String> qemuArgs, UnaryOperator<QmpOptions.Builder> clientOptions) {
        this.qemuArgs = List.copyOf(qemuArgs);
        this.clientOptions = clientOptions;
    }

    /** {@code -machine none} plus {@code extraArgs}, a client with default options. */
    public static QemuClientExtension machineNone(String... extraArgs) {
        return new QemuClientExtension(List.of(extraArgs), b -> b);
    }

    /** The same QEMU, with the client's options adjusted by {@code customizer}. */
    public QemuClientExtension clientOptions(UnaryOperator<QmpOptions.Builder> customizer) {
        return new QemuClientExtension(qemuArgs, customizer);
    }

    public QemuProcess qemu() {
        return qemu;
    }

    public QmpClient client() {
        return client;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        perClass = true;
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!perClass) {
            start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!perClass) {
            stop();
        }
    }

    private void start() {
        qemu = QemuProcess.startMachineNone(qemuArgs.toArray(String[]::new));
        client = QmpClient.connect(clientOptions.apply(QmpOptions.builder(Endpoint.unix(qemu.qmpSocket()))).build());
    }

    private void stop() {
        try {
            if (client != null) {
                client.close();
            }
        } finally {
            if (qemu != null) {
                qemu.close();
            }
            client = null;
            qemu = null;
        }
    }
}
