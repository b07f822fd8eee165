package dev.palisade.kernel;

import jnr.ffi.LibraryLoader;
import jnr.ffi.types.size_t;

/**
 * Hands the C heap's free memory back to the kernel (glibc's {@code malloc_trim(0)}). libnftables
 * parses a large transaction into many small allocations and frees them after the commit; glibc
 * keeps those pages mapped (they are below its trim threshold one by one, and spread over arenas),
 * so the agent's resident set stays at its peak after a big sync unless someone asks for them
 * back. Measured (bench/RESULTS.md "Agent RSS"): about 6 MiB after applying 100k elements.
 *
 * <p>Without glibc (e.g. musl) there is no such call: {@link #trim} then does nothing and says so.
 */
public final class MallocTrim {
  private MallocTrim() {}

  /** Public only because JNR generates its implementation in another class loader. */
  public interface Glibc {
    int malloc_trim(@size_t long pad);
  }

  private static final Glibc GLIBC = load();

  private static Glibc load() {
    try {
      Glibc g = LibraryLoader.create(Glibc.class).failImmediately().load("c");
      g.malloc_trim(0); // resolves the symbol now: a libc without it fails here, not on the first sync
      return g;
    } catch (UnsatisfiedLinkError | RuntimeException e) {
      return null;
    }
  }

  /** Whether this libc has malloc_trim. */
  public static boolean available() {
    return GLIBC != null;
  }

  /** Returns free C heap memory to the kernel; true if some was released, false if none or no glibc. */
  public static boolean trim() {
    return GLIBC != null && GLIBC.malloc_trim(0) == 1;
  }
}
