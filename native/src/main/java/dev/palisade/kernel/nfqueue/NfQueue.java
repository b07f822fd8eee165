package dev.palisade.kernel.nfqueue;

import java.util.concurrent.atomic.AtomicLong;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.byref.PointerByReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel's {@link PacketQueue}: binds one NFQUEUE number through libnetfilter_queue in the
 * calling thread's network namespace (a netlink socket belongs to the namespace it was created
 * in) and decides each packet on a dedicated thread. One socket per queue, released by
 * {@link #close()}: libnftables' select() aborts on descriptors >= 1024, so none may leak.
 *
 * <p>The queue is set fail-open: when it is full the kernel lets packets pass unheld rather than
 * drop them. Whoever queues must make an unheld packet harmless (for the DNS hold: the answer
 * arrives but no set element appears, so the connection it would have opened stays closed).
 */
public final class NfQueue implements PacketQueue {
  private static final Logger LOG = LoggerFactory.getLogger(NfQueue.class);
  private static final LibNetfilterQueue LIB = LibNetfilterQueue.INSTANCE;
  private static final LibNetfilterQueue.LibC LIBC = LibNetfilterQueue.LibC.INSTANCE;
  private static final int BUF_SIZE = 256 * 1024;
  private static final int MAX_QUEUED = 4096;

  private final int number;
  private final Pointer handle;
  private final Pointer queueHandle;
  private final LibNetfilterQueue.Callback callback; // strong reference: JNR must not lose it
  private final Thread thread;
  private final AtomicLong received = new AtomicLong();
  private volatile boolean running = true;

  private NfQueue(int number, Handler handler) {
    this.number = number;
    Runtime rt = Runtime.getRuntime(LIB);
    handle = LIB.nfq_open();
    if (handle == null) {
      throw new IllegalStateException("nfq_open failed: CAP_NET_ADMIN is needed in this network namespace");
    }
    // no-ops on current kernels (queues are per number, not per family); old kernels need them
    LIB.nfq_unbind_pf(handle, (short) LibNetfilterQueue.AF_INET);
    LIB.nfq_bind_pf(handle, (short) LibNetfilterQueue.AF_INET);
    callback = (qh, nfmsg, nfad, data) -> {
      Pointer hdr = LIB.nfq_get_msg_packet_hdr(nfad);
      if (hdr == null) {
        return 0;
      }
      int id = ((hdr.getByte(0) & 0xff) << 24) | ((hdr.getByte(1) & 0xff) << 16) | ((hdr.getByte(2) & 0xff) << 8)
          | (hdr.getByte(3) & 0xff);
      PointerByReference ref = new PointerByReference();
      int len = LIB.nfq_get_payload(nfad, ref);
      byte[] payload = new byte[Math.max(len, 0)];
      if (len > 0) {
        ref.getValue().get(0, payload, 0, len);
      }
      received.incrementAndGet();
      Verdict v = decide(handler, payload);
      LIB.nfq_set_verdict(qh, id, v == Verdict.ACCEPT ? LibNetfilterQueue.NF_ACCEPT : LibNetfilterQueue.NF_DROP, 0,
          null);
      return 0;
    };
    queueHandle = LIB.nfq_create_queue(handle, (short) number, callback, null);
    if (queueHandle == null) {
      int errno = jnr.ffi.LastError.getLastError(rt);
      LIB.nfq_close(handle);
      throw new IllegalStateException("nfq_create_queue(" + number + ") failed, errno " + errno
          + " (another process may own the queue)");
    }
    if (LIB.nfq_set_mode(queueHandle, LibNetfilterQueue.NFQNL_COPY_PACKET, 0xffff) < 0) {
      LIB.nfq_destroy_queue(queueHandle);
      LIB.nfq_close(handle);
      throw new IllegalStateException("nfq_set_mode(COPY_PACKET) failed on queue " + number);
    }
    LIB.nfq_set_queue_maxlen(queueHandle, MAX_QUEUED);
    LIB.nfq_set_queue_flags(queueHandle, LibNetfilterQueue.NFQA_CFG_F_FAIL_OPEN,
        LibNetfilterQueue.NFQA_CFG_F_FAIL_OPEN);
    int fd = LIB.nfq_fd(handle);
    Pointer tv = Memory.allocateDirect(rt, 16);
    tv.putLong(0, 0);
    tv.putLong(8, 200_000); // 200 ms receive timeout: how quickly close() is noticed
    LIBC.setsockopt(fd, LibNetfilterQueue.LibC.SOL_SOCKET, LibNetfilterQueue.LibC.SO_RCVTIMEO, tv, 16);
    Pointer size = Memory.allocateDirect(rt, 4);
    size.putInt(0, 4 * 1024 * 1024);
    LIBC.setsockopt(fd, LibNetfilterQueue.LibC.SOL_SOCKET, LibNetfilterQueue.LibC.SO_RCVBUF, size, 4);
    size.putInt(0, 1);
    LIBC.setsockopt(fd, LibNetfilterQueue.LibC.SOL_NETLINK, LibNetfilterQueue.LibC.NETLINK_NO_ENOBUFS, size, 4);
    thread = new Thread(() -> loop(fd, rt), "nfqueue-" + number);
    thread.setDaemon(true);
  }

  /** Binds queue {@code number} in the calling thread's network namespace and starts deciding. */
  public static NfQueue open(int number, Handler handler) {
    if (number < 0 || number > 65535) {
      throw new IllegalArgumentException("queue number must be 0..65535: " + number);
    }
    NfQueue q = new NfQueue(number, handler);
    q.thread.start();
    return q;
  }

  /** The handler's verdict; ACCEPT when it throws (see {@link Handler}). */
  static Verdict decide(Handler handler, byte[] payload) {
    try {
      Verdict v = handler.onPacket(payload);
      return v == null ? Verdict.ACCEPT : v;
    } catch (RuntimeException e) {
      LOG.warn("queued packet: handler failed, accepting unheld: {}", e.toString());
      return Verdict.ACCEPT;
    }
  }

  @Override
  public int queueNumber() {
    return number;
  }

  @Override
  public long received() {
    return received.get();
  }

  private void loop(int fd, Runtime rt) {
    Pointer buf = Memory.allocateDirect(rt, BUF_SIZE);
    while (running) {
      long n = LIBC.recv(fd, buf, BUF_SIZE, 0);
      if (n > 0) {
        LIB.nfq_handle_packet(handle, buf, (int) n);
      }
      // n < 0: timeout (EAGAIN) or an overrun (packets passed fail-open, unheld): go on.
    }
  }

  /** Stops the receive thread (within the socket timeout), then releases queue and socket. */
  @Override
  public void close() {
    running = false;
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!thread.isAlive()) {
      LIB.nfq_destroy_queue(queueHandle);
      LIB.nfq_close(handle);
    }
  }
}
