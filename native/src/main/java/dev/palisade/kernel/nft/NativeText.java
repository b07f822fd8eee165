package dev.palisade.kernel.nft;

import java.io.InputStream;
import jnr.ffi.Pointer;

/**
 * A NUL-terminated C buffer read as a stream of its bytes, in place: nft's JSON listing of a
 * 100k-element table is ~4 MB, which as a Java String took two copies more (bytes, then the
 * decoded text) for a parser that reads 8 KB at a time. The buffer must stay untouched while it
 * is read: nft's output buffer does until the next command on its context, which runs on the
 * same thread as the reader.
 */
final class NativeText extends InputStream {
  private final Pointer buffer;
  private final long length;
  private long at;

  /** The text at {@code buffer} up to its NUL; a null pointer reads as empty. */
  NativeText(Pointer buffer) {
    this.buffer = buffer;
    this.length = buffer == null ? 0 : buffer.indexOf(0, (byte) 0);
    if (length < 0) {
      throw new IllegalStateException("nft's output buffer has no terminating NUL");
    }
  }

  /** The text's length in bytes. */
  long length() {
    return length;
  }

  @Override
  public int read() {
    return at < length ? buffer.getByte(at++) & 0xff : -1;
  }

  @Override
  public int read(byte[] into, int offset, int max) {
    if (at >= length) {
      return -1;
    }
    int n = (int) Math.min(max, length - at);
    buffer.get(at, into, offset, n);
    at += n;
    return n;
  }

  @Override
  public int available() {
    return (int) Math.min(Integer.MAX_VALUE, length - at);
  }
}
