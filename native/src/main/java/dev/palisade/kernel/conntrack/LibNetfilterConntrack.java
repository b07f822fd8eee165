package dev.palisade.kernel.conntrack;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.Delegate;
import jnr.ffi.annotations.SaveError;

/**
 * libnetfilter_conntrack (plus nfnl_rcvbufsiz from libnfnetlink, and the libc calls the receive
 * loop needs), loaded once. Public only because JNR generates the implementation in another class
 * loader; use {@link LibConntrack}.
 */
public interface LibNetfilterConntrack {
  byte CONNTRACK = 1; // NFNL_SUBSYS_CTNETLINK
  int NF_NETLINK_CONNTRACK_NEW = 1;
  int NF_NETLINK_CONNTRACK_UPDATE = 2;
  int NF_NETLINK_CONNTRACK_DESTROY = 4;

  int NFCT_T_UNKNOWN = 0;
  int NFCT_T_NEW = 1;
  int NFCT_T_UPDATE = 2;
  int NFCT_T_DESTROY = 4;
  int NFCT_T_ALL = 7;

  int NFCT_CB_FAILURE = -1;
  int NFCT_CB_STOP = 0;
  int NFCT_CB_CONTINUE = 1;

  int NFCT_Q_DESTROY = 2;
  int NFCT_Q_DUMP = 5;

  // enum nf_conntrack_attr
  int ATTR_ORIG_IPV4_SRC = 0;
  int ATTR_ORIG_IPV4_DST = 1;
  int ATTR_ORIG_PORT_SRC = 8;
  int ATTR_ORIG_PORT_DST = 9;
  /** Reply direction: its source is the real server after DNAT. */
  int ATTR_REPL_IPV4_SRC = 2;
  int ATTR_REPL_PORT_SRC = 10;
  int ATTR_ORIG_L3PROTO = 15;
  int ATTR_ORIG_L4PROTO = 17;
  int ATTR_MARK = 25;
  int ATTR_ID = 31;
  int ATTR_TIMESTAMP_START = 63;
  int ATTR_TIMESTAMP_STOP = 64;

  int AF_INET = 2;
  int ENOENT = 2;
  int EINTR = 4;
  int EAGAIN = 11;
  int ENOBUFS = 105;

  @SaveError
  Pointer nfct_open(byte subsys, int subscriptions);

  int nfct_close(Pointer h);

  int nfct_fd(Pointer h);

  Pointer nfct_nfnlh(Pointer h);

  int nfct_callback_register(Pointer h, int type, Callback cb, Pointer data);

  void nfct_callback_unregister(Pointer h);

  @SaveError
  int nfct_catch(Pointer h);

  @SaveError
  int nfct_query(Pointer h, int query, Pointer data);

  Pointer nfct_clone(Pointer ct);

  void nfct_destroy(Pointer ct);

  byte nfct_get_attr_u8(Pointer ct, int attr);

  short nfct_get_attr_u16(Pointer ct, int attr);

  int nfct_get_attr_u32(Pointer ct, int attr);

  long nfct_get_attr_u64(Pointer ct, int attr);

  int nfct_attr_is_set(Pointer ct, int attr);

  /** libnfnetlink: sets SO_RCVBUFFORCE (falling back to SO_RCVBUF); returns the size in effect. */
  int nfnl_rcvbufsiz(Pointer nfnlh, int size);

  /** nfct callback: (type, nf_conntrack, data) -> NFCT_CB_CONTINUE to go on, NFCT_CB_STOP to stop. */
  interface Callback {
    @Delegate
    int call(int type, Pointer ct, Pointer data);
  }

  LibNetfilterConntrack INSTANCE =
      LibraryLoader.create(LibNetfilterConntrack.class).library("netfilter_conntrack").library("nfnetlink").load();

  /** libc: receive timeout on the event socket, and entering the namespace the handles belong to. */
  interface LibC {
    int SOL_SOCKET = 1;
    int SO_RCVTIMEO = 20;
    int O_RDONLY = 0;
    int O_CLOEXEC = 0x80000;
    int CLONE_NEWNET = 0x40000000;

    int setsockopt(int fd, int level, int name, Pointer value, int len);

    @SaveError
    int open(String path, int flags);

    @SaveError
    int setns(int fd, int nstype);

    int close(int fd);

    String strerror(int errnum);

    LibC INSTANCE = LibraryLoader.create(LibC.class).load("c");
  }
}
