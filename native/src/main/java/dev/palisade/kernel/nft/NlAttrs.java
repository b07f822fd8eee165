package dev.palisade.kernel.nft;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Pure: the netlink attributes (struct nlattr: u16 length, u16 type, payload padded to 4 bytes)
 * of one region of a message, indexed by type. A dump message is read in place: an attribute is
 * an offset and a length into the message's buffer, nothing is copied until a value is asked for.
 * nftables' numbers are big-endian (network order) in the payload; the headers are host order.
 */
final class NlAttrs {
  /** The nested flag and the byte-order flag share the type field's top bits. */
  private static final int TYPE_MASK = 0x3fff;

  private final ByteBuffer buf;
  private final int[] offset;
  private final int[] length;

  private NlAttrs(ByteBuffer buf, int maxType) {
    this.buf = buf;
    this.offset = new int[maxType + 1];
    this.length = new int[maxType + 1];
    java.util.Arrays.fill(offset, -1);
  }

  /**
   * The attributes in {@code buf} from {@code from} to {@code to}; types above {@code maxType}
   * are ignored (an attribute this reader has no use for).
   *
   * @throws IllegalStateException if an attribute runs past the region
   */
  static NlAttrs parse(ByteBuffer buf, int from, int to, int maxType) {
    NlAttrs a = new NlAttrs(buf, maxType);
    int at = from;
    while (at + 4 <= to) {
      int len = Short.toUnsignedInt(buf.getShort(at)); // host order: the buffer is little-endian
      int type = Short.toUnsignedInt(buf.getShort(at + 2)) & TYPE_MASK;
      if (len < 4 || at + len > to) {
        throw new IllegalStateException("netlink attribute of type " + type + " with length " + len
            + " runs past its message (" + (to - at) + " bytes left)");
      }
      if (type <= maxType) {
        a.offset[type] = at + 4;
        a.length[type] = len - 4;
      }
      at += (len + 3) & ~3;
    }
    return a;
  }

  boolean has(int type) {
    return type < offset.length && offset[type] >= 0;
  }

  /** The nested attributes of {@code type}. */
  NlAttrs nested(int type, int maxType) {
    require(type);
    return parse(buf, offset[type], offset[type] + length[type], maxType);
  }

  /** Calls {@code each} with the offset and length of every attribute nested in {@code type}, in order. */
  void forEachNested(int type, NestedVisitor each) {
    require(type);
    int to = offset[type] + length[type];
    int at = offset[type];
    while (at + 4 <= to) {
      int len = Short.toUnsignedInt(buf.getShort(at));
      if (len < 4 || at + len > to) {
        throw new IllegalStateException("nested netlink attribute with length " + len + " runs past its parent");
      }
      each.visit(buf, at + 4, at + len);
      at += (len + 3) & ~3;
    }
  }

  /** What {@link #forEachNested} calls: one nested attribute's payload, from and to. */
  interface NestedVisitor {
    void visit(ByteBuffer buf, int from, int to);
  }

  /** A NUL-terminated string. */
  String string(int type) {
    require(type);
    int end = offset[type];
    int limit = offset[type] + length[type];
    while (end < limit && buf.get(end) != 0) {
      end++;
    }
    byte[] b = new byte[end - offset[type]];
    buf.get(offset[type], b);
    return new String(b, StandardCharsets.UTF_8);
  }

  /** A big-endian u32 (as an int: signed values, such as a priority or a verdict code, come out right). */
  int u32(int type) {
    require(type);
    checkLength(type, 4);
    return bigEndianInt(buf, offset[type]);
  }

  /** A big-endian u64. */
  long u64(int type) {
    require(type);
    checkLength(type, 8);
    return ((long) bigEndianInt(buf, offset[type]) << 32) | (bigEndianInt(buf, offset[type] + 4) & 0xffffffffL);
  }

  /** The payload's bytes (copied). */
  byte[] bytes(int type) {
    require(type);
    byte[] b = new byte[length[type]];
    buf.get(offset[type], b);
    return b;
  }

  /** The buffer with the payload's offset and length: for a nested value read in place. */
  int offset(int type) {
    require(type);
    return offset[type];
  }

  int length(int type) {
    require(type);
    return length[type];
  }

  private void require(int type) {
    if (!has(type)) {
      throw new IllegalStateException("netlink attribute " + type + " is missing");
    }
  }

  private void checkLength(int type, int want) {
    if (length[type] != want) {
      throw new IllegalStateException("netlink attribute " + type + " has " + length[type] + " bytes, not " + want);
    }
  }

  /** Four bytes at {@code at} read most significant first, whatever the buffer's order. */
  static int bigEndianInt(ByteBuffer buf, int at) {
    return (buf.get(at) & 0xff) << 24 | (buf.get(at + 1) & 0xff) << 16 | (buf.get(at + 2) & 0xff) << 8
        | (buf.get(at + 3) & 0xff);
  }

  /** A buffer over {@code bytes} in host order (x86, arm64: little-endian), as netlink headers are. */
  static ByteBuffer hostOrder(byte[] bytes, int length) {
    return ByteBuffer.wrap(bytes, 0, length).order(ByteOrder.nativeOrder());
  }
}
