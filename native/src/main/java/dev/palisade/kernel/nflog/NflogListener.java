package dev.palisade.kernel.nflog;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.byref.PointerByReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives packets that nftables logged to an NFLOG group, on a dedicated thread, and hands each
 * to a consumer as an {@link NflogEvent}. Open it on the network namespace's thread whose
 * rules log (a netlink socket belongs to the namespace it was created in); the receive thread
 * can be any. The socket has a receive timeout so {@link #close()} never has to close a handle
 * that another thread is blocked in.
 */
public final class NflogListener implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NflogListener.class);
  private static final LibNetfilterLog LIB = LibNetfilterLog.INSTANCE;
  private static final int BUF_SIZE = 256 * 1024;

  private final Pointer handle;
  private final Pointer groupHandle;
  private final int group;
  private final Consumer<NflogEvent> sink;
  private final LibNetfilterLog.Callback callback; // strong reference: JNR must not lose it
  private final Thread thread;
  private final AtomicLong received = new AtomicLong();
  private volatile boolean running = true;

  private NflogListener(int group, Consumer<NflogEvent> sink) {
    this.group = group;
    this.sink = sink;
    Runtime rt = Runtime.getRuntime(LIB);
    handle = LIB.nflog_open();
    if (handle == null) {
      throw new IllegalStateException("nflog_open failed: CAP_NET_ADMIN is needed in this network namespace");
    }
    LIB.nflog_bind_pf(handle, (short) LibNetfilterLog.AF_INET); // a no-op on current kernels, harmless
    groupHandle = LIB.nflog_bind_group(handle, (short) group);
    if (groupHandle == null) {
      int errno = jnr.ffi.LastError.getLastError(rt);
      LIB.nflog_close(handle);
      throw new IllegalStateException("nflog_bind_group(" + group + ") failed, errno " + errno
          + " (another process may own the group)");
    }
    LIB.nflog_set_mode(groupHandle, LibNetfilterLog.NFULNL_COPY_PACKET, 0xffff);
    callback = (gh, nfmsg, nfad, data) -> {
      try {
        onPacket(nfad);
      } catch (RuntimeException e) {
        LOG.warn("NFLOG group {}: cannot decode a packet: {}", group, e.toString());
      }
      return 0;
    };
    LIB.nflog_callback_register(groupHandle, callback, null);
    int fd = LIB.nflog_fd(handle);
    Pointer tv = Memory.allocateDirect(rt, 16);
    tv.putLong(0, 0);
    tv.putLong(8, 200_000); // 200 ms receive timeout: how quickly close() is noticed
    LibNetfilterLog.LibC.INSTANCE.setsockopt(fd, LibNetfilterLog.LibC.SOL_SOCKET, LibNetfilterLog.LibC.SO_RCVTIMEO, tv, 16);
    Pointer size = Memory.allocateDirect(rt, 4);
    size.putInt(0, 4 * 1024 * 1024);
    LibNetfilterLog.LibC.INSTANCE.setsockopt(fd, LibNetfilterLog.LibC.SOL_SOCKET, LibNetfilterLog.LibC.SO_RCVBUF, size, 4);
    thread = new Thread(() -> loop(fd, rt), "nflog-" + group);
    thread.setDaemon(true);
  }

  /** Opens the listener in the calling thread's network namespace and starts receiving. */
  public static NflogListener open(int group, Consumer<NflogEvent> sink) {
    if (group < 0 || group > 65535) {
      throw new IllegalArgumentException("NFLOG group must be 0..65535: " + group);
    }
    NflogListener l = new NflogListener(group, sink);
    l.thread.start();
    return l;
  }

  public long received() {
    return received.get();
  }

  private void loop(int fd, Runtime rt) {
    Pointer buf = Memory.allocateDirect(rt, BUF_SIZE);
    while (running) {
      long n = LibNetfilterLog.LibC.INSTANCE.recv(fd, buf, BUF_SIZE, 0);
      if (n > 0) {
        LIB.nflog_handle_packet(handle, buf, (int) n);
      }
      // n < 0: timeout (EAGAIN) or ENOBUFS (lost log lines; drops are still enforced): go on.
    }
  }

  private void onPacket(Pointer nfad) {
    String prefix = LIB.nflog_get_prefix(nfad);
    PointerByReference data = new PointerByReference();
    int len = LIB.nflog_get_payload(nfad, data);
    if (len < 20) {
      return;
    }
    Pointer p = data.getValue();
    int versionIhl = p.getByte(0) & 0xff;
    if ((versionIhl >> 4) != 4) {
      return; // IPv4 only for now
    }
    int ihl = (versionIhl & 0x0f) * 4;
    int protocol = p.getByte(9) & 0xff;
    String src = ip(p, 12);
    String dst = ip(p, 16);
    int sport = 0;
    int dport = 0;
    if ((protocol == 6 || protocol == 17 || protocol == 132) && len >= ihl + 4) {
      sport = ((p.getByte(ihl) & 0xff) << 8) | (p.getByte(ihl + 1) & 0xff);
      dport = ((p.getByte(ihl + 2) & 0xff) << 8) | (p.getByte(ihl + 3) & 0xff);
    }
    received.incrementAndGet();
    sink.accept(new NflogEvent(group, prefix == null ? "" : prefix, src, dst, protocol, sport, dport,
        System.currentTimeMillis()));
  }

  private static String ip(Pointer p, int off) {
    return (p.getByte(off) & 0xff) + "." + (p.getByte(off + 1) & 0xff) + "." + (p.getByte(off + 2) & 0xff) + "."
        + (p.getByte(off + 3) & 0xff);
  }

  /** Stops the receive thread (within the socket timeout), then releases the handle. */
  @Override
  public void close() {
    running = false;
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!thread.isAlive()) {
      LIB.nflog_unbind_group(groupHandle);
      LIB.nflog_close(handle);
    }
  }
}
