package dev.palisade.kernel.nfqueue;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.Delegate;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.byref.PointerByReference;

/**
 * libnetfilter_queue (libnetfilter_queue.so.1) and the libc calls its receive loop needs, loaded
 * once. Public only because JNR generates the implementation in another class loader; use
 * {@link NfQueue}.
 */
public interface LibNetfilterQueue {
  byte NFQNL_COPY_PACKET = 0x02;
  int NF_DROP = 0;
  int NF_ACCEPT = 1;
  int AF_INET = 2;
  /** NFQA_CFG_F_FAIL_OPEN: a full queue lets packets pass instead of dropping them. */
  int NFQA_CFG_F_FAIL_OPEN = 1;

  Pointer nfq_open();

  int nfq_close(Pointer h);

  int nfq_unbind_pf(Pointer h, short pf);

  int nfq_bind_pf(Pointer h, short pf);

  @SaveError
  Pointer nfq_create_queue(Pointer h, short num, Callback cb, Pointer data);

  int nfq_destroy_queue(Pointer qh);

  int nfq_set_mode(Pointer qh, byte mode, int range);

  int nfq_set_queue_maxlen(Pointer qh, int queuelen);

  int nfq_set_queue_flags(Pointer qh, int mask, int flags);

  int nfq_fd(Pointer h);

  int nfq_handle_packet(Pointer h, Pointer buf, int len);

  /** struct nfqnl_msg_packet_hdr *: packet_id (u32, network order), hw_protocol (u16), hook (u8). */
  Pointer nfq_get_msg_packet_hdr(Pointer nfad);

  int nfq_get_payload(Pointer nfad, PointerByReference data);

  int nfq_set_verdict(Pointer qh, int id, int verdict, int dataLen, Pointer buf);

  /** nfq_callback: (qh, nfgenmsg, nfq_data, data) -> >= 0 to go on. */
  interface Callback {
    @Delegate
    int call(Pointer qh, Pointer nfmsg, Pointer nfad, Pointer data);
  }

  LibNetfilterQueue INSTANCE = LibraryLoader.create(LibNetfilterQueue.class).load("netfilter_queue");

  /** libc: receive with a timeout so the loop can notice it should stop. */
  interface LibC {
    @SaveError
    long recv(int fd, Pointer buf, long len, int flags);

    int setsockopt(int fd, int level, int name, Pointer value, int len);

    int SOL_SOCKET = 1;
    int SO_RCVTIMEO = 20;
    int SO_RCVBUF = 8;
    int SOL_NETLINK = 270;
    /** NETLINK_NO_ENOBUFS: an overrun is not reported as an error on every later recv. */
    int NETLINK_NO_ENOBUFS = 5;

    LibC INSTANCE = LibraryLoader.create(LibC.class).load("c");
  }
}
