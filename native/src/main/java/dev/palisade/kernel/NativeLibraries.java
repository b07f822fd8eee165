package dev.palisade.kernel;

import jnr.ffi.LibraryLoader;

/** Loads a shared library by its short name to tell whether it is installed, and where from. */
final class NativeLibraries {
  private NativeLibraries() {}

  /** Any interface works for a load probe; nothing is called through it. */
  public interface Empty {}

  static String probe(String name) {
    try {
      LibraryLoader.create(Empty.class).failImmediately().load(name);
      return "lib" + name + ".so loads";
    } catch (UnsatisfiedLinkError e) {
      throw new IllegalStateException("lib" + name + " not found: install it with scripts/install-deps.sh");
    }
  }
}
