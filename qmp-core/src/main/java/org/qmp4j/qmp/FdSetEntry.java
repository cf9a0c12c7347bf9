package org.qmp4j.qmp;

/**
 * Where {@code add-fd} put a file descriptor: reference it as {@code /dev/fdset/<fdsetId>}.
 *
 * @param fdsetId the fd set
 * @param fd the descriptor's number inside QEMU
 */
public record FdSetEntry(long fdsetId, int fd) {
}
