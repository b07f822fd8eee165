package dev.palisade.kernel.nft;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.SaveError;

/**
 * The libc socket calls a netlink event listener needs. Public only because JNR generates the
 * implementation in another class loader; use {@link NetfilterSocket}.
 */
public interface LibcNetlinkApi {
  int AF_NETLINK = 16;
  int SOCK_RAW = 3;
  int SOCK_CLOEXEC = 0x80000;
  int NETLINK_NETFILTER = 12;
  int SOL_SOCKET = 1;
  int SO_RCVBUF = 8;
  int SO_RCVTIMEO = 20;
  int SO_RCVBUFFORCE = 33;
  int EINTR = 4;
  int EAGAIN = 11;
  int ENOBUFS = 105;
  int ENOENT = 2;

  @SaveError
  int socket(int domain, int type, int protocol);

  @SaveError
  int bind(int fd, Pointer addr, int len);

  @SaveError
  int setsockopt(int fd, int level, int name, Pointer value, int len);

  @SaveError
  long send(int fd, Pointer buf, long len, int flags);

  @SaveError
  long recv(int fd, Pointer buf, long len, int flags);

  int close(int fd);

  String strerror(int errnum);

  LibcNetlinkApi INSTANCE = LibraryLoader.create(LibcNetlinkApi.class).load("c");
}
