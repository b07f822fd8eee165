package dev.palisade.kernel.nft;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * A netlink socket that asks nf_tables for objects (a get, or a dump) and hands each reply message
 * to the caller as it arrives, in one reused buffer: a dump of 100k set elements passes through
 * one datagram (at most {@value #DATAGRAM_MAX} bytes) at a time. It belongs to the network
 * namespace of the thread that opens it. Not thread-safe: one thread asks, reads, closes.
 */
final class NlDumpSocket implements AutoCloseable {
  static final int DATAGRAM_MAX = 256 * 1024;
  private static final int RECEIVE_TIMEOUT_SECONDS = 10;
  private static final int MSG_TRUNC = 0x20;
  private static final int NLMSG_HDRLEN = 16;
  private static final int NFGENMSG_LEN = 4;
  private static final int NLMSG_ERROR = 2;
  private static final int NLMSG_DONE = 3;
  private static final int NLM_F_REQUEST = 0x1;
  private static final int NLM_F_ACK = 0x4;
  private static final int NLM_F_DUMP_INTR = 0x10;
  private static final int NLM_F_DUMP = 0x300;
  private static final int NFNL_SUBSYS_NFTABLES = 10;

  private final NetfilterSocket socket;
  private final Pointer direct = Memory.allocateDirect(NetfilterSocket.RT, DATAGRAM_MAX);
  private final byte[] bytes = new byte[DATAGRAM_MAX];
  private int seq = (int) (System.nanoTime() & 0x7fffffff);

  /** What {@link #ask} hands each reply: the message's nf_tables type and its attributes' region. */
  interface Reply {
    void accept(int nftType, ByteBuffer buf, int from, int to);
  }

  /** How an ask ended: fine, the object does not exist, or the dump was cut by a concurrent change. */
  enum Outcome { DONE, NOT_FOUND, INTERRUPTED }

  private NlDumpSocket(NetfilterSocket socket) {
    this.socket = socket;
  }

  /** A socket in the calling thread's network namespace. */
  static NlDumpSocket open() {
    return new NlDumpSocket(NetfilterSocket.open(0, RECEIVE_TIMEOUT_SECONDS * 1000, "bind netlink socket"));
  }

  /**
   * Sends one request and hands every reply message to {@code reply} until the kernel says it is
   * done (a dump's NLMSG_DONE, a get's acknowledgement).
   *
   * @param attrs the request's attributes: pairs of type and NUL-terminated string value
   * @throws IllegalStateException on any error but ENOENT, which is {@link Outcome#NOT_FOUND}
   */
  Outcome ask(int nftType, boolean dump, int family, Reply reply, Object... attrs) {
    int mySeq = ++seq;
    send(request(nftType, dump, family, mySeq, attrs));
    boolean interrupted = false;
    while (true) {
      int n = receive();
      ByteBuffer buf = ByteBuffer.wrap(bytes, 0, n).order(ByteOrder.nativeOrder());
      int at = 0;
      while (at + NLMSG_HDRLEN <= n) {
        int len = buf.getInt(at);
        int type = Short.toUnsignedInt(buf.getShort(at + 4));
        int flags = Short.toUnsignedInt(buf.getShort(at + 6));
        int msgSeq = buf.getInt(at + 8);
        if (len < NLMSG_HDRLEN || at + len > n) {
          throw new IllegalStateException("netlink message of length " + len + " runs past its datagram of " + n);
        }
        if (msgSeq != mySeq) {
          throw new IllegalStateException("netlink reply to request " + msgSeq + " while waiting for " + mySeq);
        }
        interrupted |= (flags & NLM_F_DUMP_INTR) != 0;
        if (type == NLMSG_DONE) {
          return interrupted ? Outcome.INTERRUPTED : Outcome.DONE;
        }
        if (type == NLMSG_ERROR) {
          int errno = -buf.getInt(at + NLMSG_HDRLEN);
          if (errno == 0) {
            return interrupted ? Outcome.INTERRUPTED : Outcome.DONE;
          }
          if (errno == LibcNetlinkApi.ENOENT) {
            return Outcome.NOT_FOUND;
          }
          throw new IllegalStateException("nf_tables refused request " + nftType + ": " + NetfilterSocket.strerror(errno));
        }
        if (type >> 8 != NFNL_SUBSYS_NFTABLES) {
          throw new IllegalStateException("netlink message of type 0x" + Integer.toHexString(type)
              + " in a reply from nf_tables");
        }
        reply.accept(type & 0xff, buf, at + NLMSG_HDRLEN + NFGENMSG_LEN, at + len);
        at += (len + 3) & ~3;
      }
    }
  }

  private static byte[] request(int nftType, boolean dump, int family, int seq, Object[] attrs) {
    ByteBuffer b = ByteBuffer.allocate(512).order(ByteOrder.nativeOrder());
    b.position(NLMSG_HDRLEN);
    b.put((byte) family).put((byte) 0).putShort((short) 0); // nfgenmsg: family, version 0, res_id 0
    for (int i = 0; i < attrs.length; i += 2) {
      byte[] v = (attrs[i + 1] + "\0").getBytes(StandardCharsets.UTF_8);
      b.putShort((short) (4 + v.length)).putShort((short) (int) (Integer) attrs[i]).put(v);
      while (b.position() % 4 != 0) {
        b.put((byte) 0);
      }
    }
    int len = b.position();
    b.putInt(0, len);
    b.putShort(4, (short) (NFNL_SUBSYS_NFTABLES << 8 | nftType));
    b.putShort(6, (short) (NLM_F_REQUEST | (dump ? NLM_F_DUMP : NLM_F_ACK)));
    b.putInt(8, seq);
    b.putInt(12, 0);
    return java.util.Arrays.copyOf(b.array(), len);
  }

  private void send(byte[] msg) {
    direct.put(0, msg, 0, msg.length);
    long n = socket.send(direct, msg.length);
    if (n != msg.length) {
      throw NetfilterSocket.failure("send to nf_tables");
    }
  }

  private int receive() {
    long n;
    int errno = 0;
    do {
      n = socket.recv(direct, DATAGRAM_MAX, MSG_TRUNC);
      errno = n < 0 ? NetfilterSocket.lastError() : 0;
    } while (n < 0 && errno == LibcNetlinkApi.EINTR);
    if (n < 0) {
      if (errno == LibcNetlinkApi.EAGAIN) {
        throw new IllegalStateException("nf_tables did not answer within " + RECEIVE_TIMEOUT_SECONDS + " s");
      }
      throw new IllegalStateException("recv from nf_tables: " + NetfilterSocket.strerror(errno));
    }
    if (n > DATAGRAM_MAX) {
      throw new IllegalStateException("a netlink datagram of " + n + " bytes did not fit the buffer of " + DATAGRAM_MAX);
    }
    direct.get(0, bytes, 0, (int) n);
    return (int) n;
  }

  @Override
  public void close() {
    socket.close();
  }
}
