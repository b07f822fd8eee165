package dev.palisade.kernel.nflog;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.Delegate;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.byref.PointerByReference;

/**
 * libnetfilter_log (and the libc calls its receive loop needs), loaded once. Public only because
 * JNR generates the implementation in another class loader; use {@link NflogListener}.
 */
public interface LibNetfilterLog {
  byte NFULNL_COPY_PACKET = 0x02;
  int AF_INET = 2;

  Pointer nflog_open();

  int nflog_close(Pointer h);

  int nflog_bind_pf(Pointer h, short pf);

  @SaveError
  Pointer nflog_bind_group(Pointer h, short group);

  int nflog_unbind_group(Pointer gh);

  int nflog_set_mode(Pointer gh, byte mode, int range);

  int nflog_callback_register(Pointer gh, Callback cb, Pointer data);

  int nflog_handle_packet(Pointer h, Pointer buf, int len);

  int nflog_fd(Pointer h);

  String nflog_get_prefix(Pointer nfad);

  int nflog_get_payload(Pointer nfad, PointerByReference data);

  /** nflog_callback: (gh, nfgenmsg, nflog_data, data) -> 0 to go on. */
  interface Callback {
    @Delegate
    int call(Pointer gh, Pointer nfmsg, Pointer nfad, Pointer data);
  }

  LibNetfilterLog INSTANCE = LibraryLoader.create(LibNetfilterLog.class).load("netfilter_log");

  /** libc: receive with a timeout so the loop can notice it should stop. */
  interface LibC {
    @SaveError
    long recv(int fd, Pointer buf, long len, int flags);

    int setsockopt(int fd, int level, int name, Pointer value, int len);

    int SOL_SOCKET = 1;
    int SO_RCVTIMEO = 20;
    int SO_RCVBUF = 8;

    LibC INSTANCE = LibraryLoader.create(LibC.class).load("c");
  }
}
