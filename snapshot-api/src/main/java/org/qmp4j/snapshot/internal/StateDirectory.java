package org.qmp4j.snapshot.internal;

import java.nio.file.Path;
import org.qmp4j.core.Endpoint;
import org.qmp4j.qmp.QmpClient;

/**
 * Where operation journals live, and how a VM is named in it. The directory is the first of: the
 * system property {@value #PROPERTY}, {@code $XDG_STATE_HOME/qmp4j}, {@code ~/.local/state/qmp4j}.
 * A VM is named by its QMP endpoint (an absolute, normalised socket path): that is what a
 * controller, and {@code recover}, are given.
 */
public final class StateDirectory {
    /** System property that overrides the default state directory. */
    public static final String PROPERTY = "qmp4j.stateDirectory";

    private StateDirectory() {
    }

    /** The default state directory. */
    public static Path defaultPath() {
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String xdg = System.getenv("XDG_STATE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "qmp4j");
        }
        return Path.of(System.getProperty("user.home"), ".local", "state", "qmp4j");
    }

    /** The VM's name in the journal: its QMP endpoint. */
    static String vmKey(QmpClient qmp) {
        Endpoint endpoint = qmp.options().endpoint();
        if (endpoint instanceof Endpoint.Unix unix) {
            return Endpoint.unix(unix.path().toAbsolutePath().normalize()).toString();
        }
        return endpoint.toString();
    }
}
