package dev.palisade.kernel.netns;

import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.SaveError;

/** The few libc calls namespace switching needs; loaded once. Public only because JNR generates its implementation in another class loader. */
public interface LibC {
  int O_RDONLY = 0;
  int O_CLOEXEC = 0x80000;
  int CLONE_NEWNET = 0x40000000;

  @SaveError
  int open(String path, int flags);

  @SaveError
  int setns(int fd, int nstype);

  int close(int fd);

  String strerror(int errnum);

  LibC INSTANCE = LibraryLoader.create(LibC.class).load("c");
}
