/**
 * The QEMU guest agent client (in progress): talks to {@code qemu-ga} over the
 * {@code org.qemu.guest_agent.0} channel, on the framing and command correlation of
 * {@code qmp-core}.
 */
package org.qmp4j.qga;
