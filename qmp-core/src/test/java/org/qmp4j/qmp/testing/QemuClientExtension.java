package org.qmp4j.qmp.testing;

import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.qmp4j.qmp.Endpoint;
import org.qmp4j.qmp.QmpClient;
import org.qmp4j.qmp.QmpOptions;

/**
 * JUnit 5 extension for a test class that shares one {@code -machine none} QEMU and one connected
 * client: register it on a static field. Closes the client and QEMU after the class, also when a
 * test failed.
 */
public final class QemuClientExtension implements BeforeAllCallback, AfterAllCallback {
    private final List<String> qemuArgs;
    private final UnaryOperator<QmpOptions.Builder> clientOptions;
    private QemuProcess qemu;
    private QmpClient client;

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
        qemu = QemuProcess.startMachineNone(qemuArgs.toArray(String[]::new));
        client = QmpClient.connect(clientOptions.apply(QmpOptions.builder(Endpoint.unix(qemu.qmpSocket()))).build());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            if (client != null) {
                client.close();
            }
        } finally {
            if (qemu != null) {
                qemu.close();
            }
        }
    }
}
