package dev.palisade.kernel.nft;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * A netlink socket subscribed to nftables' multicast group (NFNLGRP_NFTABLES), the one
 * {@code nft monitor} reads. It belongs to the network namespace of the thread that opens it,
 * for life. Receives time out so the reading thread can notice it should stop: closing a socket
 * does not wake a thread blocked on it, and netlink sockets cannot be shut down.
 *
 * <p>Not thread-safe: one thread receives, then closes.
 */
final class NftMonitorSocket implements AutoCloseable {
  private static final int NFNLGRP_NFTABLES = 7;
  /** Room for a burst (a 100k-element flush) while the listener works; overrun shows as ENOBUFS. */
  static final int RECEIVE_BUFFER = 8 * 1024 * 1024;
  static final int DATAGRAM_MAX = 256 * 1024;

  /** What {@link #receive} returns when nothing arrived within the timeout. */
  static final int TIMED_OUT = 0;
  /** What {@link #receive} returns when the kernel dropped events because the socket was full. */
  static final int LOST = -1;

  private final NetfilterSocket socket;
  private final Pointer buffer = Memory.allocateDirect(NetfilterSocket.RT, DATAGRAM_MAX);

  private NftMonitorSocket(NetfilterSocket socket) {
    this.socket = socket;
  }

  /**
   * Opens and subscribes in the calling thread's network namespace.
   *
   * @param receiveBufferBytes the socket's receive buffer (the kernel doubles it for overhead)
   */
  static NftMonitorSocket open(int receiveTimeoutMillis, int receiveBufferBytes) {
    NetfilterSocket socket = NetfilterSocket.open(1 << (NFNLGRP_NFTABLES - 1), receiveTimeoutMillis,
        "bind to NFNLGRP_NFTABLES (CAP_NET_ADMIN needed)");
    socket.receiveBuffer(receiveBufferBytes);
    return new NftMonitorSocket(socket);
  }

  /**
   * Waits up to the receive timeout for one datagram and copies it into {@code into}.
   *
   * @return its length, {@link #TIMED_OUT} or {@link #LOST}
   */
  int receive(byte[] into) {
    long n = socket.recv(buffer, Math.min(into.length, DATAGRAM_MAX), 0);
    if (n > 0) {
      buffer.get(0, into, 0, (int) n);
      return (int) n;
    }
    if (n == 0) {
      return TIMED_OUT;
    }
    int errno = NetfilterSocket.lastError();
    return switch (errno) {
      case LibcNetlinkApi.EAGAIN, LibcNetlinkApi.EINTR -> TIMED_OUT;
      case LibcNetlinkApi.ENOBUFS -> LOST;
      default -> throw new IllegalStateException("recv on the nftables event socket: " + NetfilterSocket.strerror(errno));
    };
  }

  @Override
  public void close() {
    socket.close();
  }
}
