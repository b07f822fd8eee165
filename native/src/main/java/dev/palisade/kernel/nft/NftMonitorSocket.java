package dev.palisade.kernel.nft;

import jnr.ffi.LastError;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * A netlink socket subscribed to nftables' multicast group (NFNLGRP_NFTABLES), the one
 * {@code nft monitor} reads. It belongs to the network namespace of the thread that opens it,
 * for life. Receives time out so the reading thread can notice it should stop: closing a socket
 * does not wake a thread blocked on it, and netlink sockets cannot be shut down.
 *
 * <p>Not thread-safe: one thread receives, then closes.
 */
final class NftMonitorSocket implements AutoCloseable {
  private static final LibcNetlinkApi LIBC = LibcNetlinkApi.INSTANCE;
  private static final Runtime RT = Runtime.getRuntime(LIBC);
  private static final int NFNLGRP_NFTABLES = 7;
  /** Room for a burst (a 100k-element flush) while the listener works; overrun shows as ENOBUFS. */
  static final int RECEIVE_BUFFER = 8 * 1024 * 1024;
  static final int DATAGRAM_MAX = 256 * 1024;

  /** What {@link #receive} returns when nothing arrived within the timeout. */
  static final int TIMED_OUT = 0;
  /** What {@link #receive} returns when the kernel dropped events because the socket was full. */
  static final int LOST = -1;

  private final int fd;
  private final Pointer buffer = Memory.allocateDirect(RT, DATAGRAM_MAX);
  private boolean closed;

  private NftMonitorSocket(int fd) {
    this.fd = fd;
  }

  /**
   * Opens and subscribes in the calling thread's network namespace.
   *
   * @param receiveBufferBytes the socket's receive buffer (the kernel doubles it for overhead)
   */
  static NftMonitorSocket open(int receiveTimeoutMillis, int receiveBufferBytes) {
    int fd = LIBC.socket(LibcNetlinkApi.AF_NETLINK, LibcNetlinkApi.SOCK_RAW | LibcNetlinkApi.SOCK_CLOEXEC,
        LibcNetlinkApi.NETLINK_NETFILTER);
    if (fd < 0) {
      throw failure("socket(AF_NETLINK, NETLINK_NETFILTER)");
    }
    try {
      // struct sockaddr_nl { u16 family; u16 pad; u32 pid (0: kernel assigns); u32 groups (bit g-1 for group g) }
      Pointer addr = Memory.allocateDirect(RT, 12);
      addr.putShort(0, (short) LibcNetlinkApi.AF_NETLINK);
      addr.putShort(2, (short) 0);
      addr.putInt(4, 0);
      addr.putInt(8, 1 << (NFNLGRP_NFTABLES - 1));
      if (LIBC.bind(fd, addr, 12) != 0) {
        throw failure("bind to NFNLGRP_NFTABLES (CAP_NET_ADMIN needed)");
      }
      Pointer size = Memory.allocateDirect(RT, 4);
      size.putInt(0, receiveBufferBytes);
      if (LIBC.setsockopt(fd, LibcNetlinkApi.SOL_SOCKET, LibcNetlinkApi.SO_RCVBUFFORCE, size, 4) != 0) {
        LIBC.setsockopt(fd, LibcNetlinkApi.SOL_SOCKET, LibcNetlinkApi.SO_RCVBUF, size, 4); // capped by rmem_max
      }
      Pointer tv = Memory.allocateDirect(RT, 16); // struct timeval { long sec; long usec }
      tv.putLong(0, receiveTimeoutMillis / 1000);
      tv.putLong(8, (receiveTimeoutMillis % 1000) * 1000L);
      if (LIBC.setsockopt(fd, LibcNetlinkApi.SOL_SOCKET, LibcNetlinkApi.SO_RCVTIMEO, tv, 16) != 0) {
        throw failure("setsockopt SO_RCVTIMEO");
      }
    } catch (RuntimeException e) {
      LIBC.close(fd);
      throw e;
    }
    return new NftMonitorSocket(fd);
  }

  /**
   * Waits up to the receive timeout for one datagram and copies it into {@code into}.
   *
   * @return its length, {@link #TIMED_OUT} or {@link #LOST}
   */
  int receive(byte[] into) {
    long n = LIBC.recv(fd, buffer, Math.min(into.length, DATAGRAM_MAX), 0);
    if (n > 0) {
      buffer.get(0, into, 0, (int) n);
      return (int) n;
    }
    if (n == 0) {
      return TIMED_OUT;
    }
    int errno = LastError.getLastError(RT);
    return switch (errno) {
      case LibcNetlinkApi.EAGAIN, LibcNetlinkApi.EINTR -> TIMED_OUT;
      case LibcNetlinkApi.ENOBUFS -> LOST;
      default -> throw new IllegalStateException("recv on the nftables event socket: " + LIBC.strerror(errno));
    };
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      LIBC.close(fd);
    }
  }

  private static IllegalStateException failure(String what) {
    int errno = LastError.getLastError(RT);
    return new IllegalStateException(what + " failed: " + LIBC.strerror(errno));
  }
}
