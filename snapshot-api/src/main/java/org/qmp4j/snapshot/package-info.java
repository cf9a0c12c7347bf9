/**
 * Consistent live snapshots of running VMs, merge and revert (in progress), built on
 * {@code qmp-core} and {@code qga-client}.
 */
package org.qmp4j.snapshot;
