package dev.palisade.kernel.nft;

import jnr.ffi.LastError;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * A raw netlink socket to netfilter (NETLINK_NETFILTER), bound and with a receive timeout: the
 * part {@link NlDumpSocket} (asks nf_tables) and {@link NftMonitorSocket} (hears its events)
 * share. It belongs to the network namespace of the thread that opens it, for life. Not
 * thread-safe: one thread uses it, then closes it.
 */
final class NetfilterSocket implements AutoCloseable {
  static final LibcNetlinkApi LIBC = LibcNetlinkApi.INSTANCE;
  static final Runtime RT = Runtime.getRuntime(LIBC);

  private final int fd;
  private boolean closed;

  private NetfilterSocket(int fd) {
    this.fd = fd;
  }

  /**
   * Opens a socket in the calling thread's network namespace.
   *
   * @param groups the multicast groups to join, bit g-1 for group g (0: none, requests only)
   * @param receiveTimeoutMillis how long a receive waits: a thread blocked on a netlink socket is
   *     not woken by closing it, and a kernel that never answers must not hang its reader
   * @param bindWhat what a failed bind says was tried
   */
  static NetfilterSocket open(int groups, int receiveTimeoutMillis, String bindWhat) {
    int fd = LIBC.socket(LibcNetlinkApi.AF_NETLINK, LibcNetlinkApi.SOCK_RAW | LibcNetlinkApi.SOCK_CLOEXEC,
        LibcNetlinkApi.NETLINK_NETFILTER);
    if (fd < 0) {
      throw failure("socket(AF_NETLINK, NETLINK_NETFILTER)");
    }
    NetfilterSocket s = new NetfilterSocket(fd);
    try {
      // struct sockaddr_nl { u16 family; u16 pad; u32 pid (0: kernel assigns); u32 groups }
      Pointer addr = Memory.allocateDirect(RT, 12);
      addr.putShort(0, (short) LibcNetlinkApi.AF_NETLINK);
      addr.putShort(2, (short) 0);
      addr.putInt(4, 0);
      addr.putInt(8, groups);
      if (LIBC.bind(fd, addr, 12) != 0) {
        throw failure(bindWhat);
      }
      Pointer tv = Memory.allocateDirect(RT, 16); // struct timeval { long sec; long usec }
      tv.putLong(0, receiveTimeoutMillis / 1000);
      tv.putLong(8, (receiveTimeoutMillis % 1000) * 1000L);
      if (LIBC.setsockopt(fd, LibcNetlinkApi.SOL_SOCKET, LibcNetlinkApi.SO_RCVTIMEO, tv, 16) != 0) {
        throw failure("setsockopt SO_RCVTIMEO");
      }
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
    return s;
  }

  /**
   * Asks for a receive buffer of {@code bytes} (the kernel doubles it for overhead): forced past
   * rmem_max where the process may (CAP_NET_ADMIN), else as much as rmem_max allows.
   */
  void receiveBuffer(int bytes) {
    Pointer size = Memory.allocateDirect(RT, 4);
    size.putInt(0, bytes);
    if (LIBC.setsockopt(fd, LibcNetlinkApi.SOL_SOCKET, LibcNetlinkApi.SO_RCVBUFFORCE, size, 4) != 0) {
      LIBC.setsockopt(fd, LibcNetlinkApi.SOL_SOCKET, LibcNetlinkApi.SO_RCVBUF, size, 4);
    }
  }

  /** {@code send(2)}: the bytes sent, or -1 with the error in {@link #lastError()}. */
  long send(Pointer buf, long len) {
    return LIBC.send(fd, buf, len, 0);
  }

  /** {@code recv(2)}: the datagram's length, 0 or -1 with the error in {@link #lastError()}. */
  long recv(Pointer buf, long len, int flags) {
    return LIBC.recv(fd, buf, len, flags);
  }

  /** The errno of this thread's last failed call. */
  static int lastError() {
    return LastError.getLastError(RT);
  }

  static String strerror(int errno) {
    return LIBC.strerror(errno);
  }

  /** {@code what} failed, with the reason the last failed call on this thread gave. */
  static IllegalStateException failure(String what) {
    return new IllegalStateException(what + " failed: " + strerror(lastError()));
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      LIBC.close(fd);
    }
  }
}
