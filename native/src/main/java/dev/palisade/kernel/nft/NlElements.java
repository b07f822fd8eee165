package dev.palisade.kernel.nft;

import dev.palisade.kernel.nft.NlSetShape.Part;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Turns one set's elements, as the kernel dumps them (NFT_MSG_NEWSETELEM), into nft's element
 * text, one element at a time: nothing of an element outlives its text, except for an interval
 * set of one part (the kernel's rbtree), whose elements are range boundaries (a start, and an end
 * flagged INTERVAL_END holding the first value after the range) that only make ranges once sorted:
 * their keys are kept (4 or 16 bytes each) until {@link #finish}. A concatenation with ranges
 * (pipapo) holds each range whole, as KEY and KEY_END (both inclusive). Not thread-safe.
 */
final class NlElements {
  static final int ELEM_KEY = 1;
  static final int ELEM_DATA = 2;
  static final int ELEM_FLAGS = 3;
  static final int ELEM_OBJREF = 9;
  static final int ELEM_KEY_END = 10;
  static final int ELEM_MAX = 11;
  static final int DATA_VALUE = 1;
  static final int DATA_VERDICT = 2;
  static final int VERDICT_CODE = 1;
  static final int VERDICT_CHAIN = 2;
  static final int FLAG_INTERVAL_END = 0x1;
  static final int FLAG_CATCHALL = 0x2;

  private final NlSetShape shape;
  private final List<String> texts = new ArrayList<>();
  private final List<byte[]> boundaries = new ArrayList<>();
  private final StringBuilder text = new StringBuilder(64);

  NlElements(NlSetShape shape) {
    this.shape = shape;
  }

  /** One element: the payload of an NFTA_LIST_ELEM, from {@code from} to {@code to} in {@code buf}. */
  void add(ByteBuffer buf, int from, int to) {
    NlAttrs e = NlAttrs.parse(buf, from, to, ELEM_MAX);
    int flags = e.has(ELEM_FLAGS) ? e.u32(ELEM_FLAGS) : 0;
    if ((flags & FLAG_CATCHALL) != 0 || e.has(ELEM_OBJREF)) {
      throw new IllegalStateException("set " + shape.name() + " holds a catch-all or object element, "
          + "which this reader does not know how to write");
    }
    byte[] key = value(e, ELEM_KEY);
    if (shape.interval() && !shape.concat()) {
      if (shape.map()) {
        throw new IllegalStateException("interval map " + shape.name() + ": this reader knows interval sets only");
      }
      byte[] b = new byte[key.length + 1]; // the key, then 1 for an end boundary
      System.arraycopy(key, 0, b, 0, key.length);
      b[key.length] = (byte) ((flags & FLAG_INTERVAL_END) != 0 ? 1 : 0);
      boundaries.add(b);
      return;
    }
    if ((flags & FLAG_INTERVAL_END) != 0) {
      throw new IllegalStateException("set " + shape.name() + " holds an interval end, but is not a one-part interval set");
    }
    text.setLength(0);
    byte[] end = e.has(ELEM_KEY_END) ? value(e, ELEM_KEY_END) : key;
    List<Part> parts = shape.parts();
    for (int i = 0; i < parts.size(); i++) {
      if (i > 0) {
        text.append(" . ");
      }
      NlValueText.range(text, parts.get(i), key, 0, end, 0);
    }
    if (shape.map()) {
      text.append(" : ");
      verdict(e);
    }
    texts.add(text.toString());
  }

  /** The elements' texts (not sorted). */
  List<String> finish() {
    if (!boundaries.isEmpty()) {
      ranges();
    }
    return texts;
  }

  /**
   * The rbtree's boundaries as ranges: sorted by key, an end before a start of the same key (two
   * adjacent ranges), each start followed by its end; the last start may have none (a range up to
   * the type's highest value, which has no value after it).
   */
  private void ranges() {
    int n = shape.keyLength();
    Comparator<byte[]> byKeyEndFirst = (a, b) -> {
      int c = NlValueText.compare(a, 0, b, 0, n);
      return c != 0 ? c : Integer.compare(b[n], a[n]); // an end (1) first
    };
    boundaries.sort(byKeyEndFirst);
    Part part = shape.parts().get(0);
    for (int i = 0; i < boundaries.size(); i++) {
      byte[] start = boundaries.get(i);
      if (start[n] != 0 && i == 0 && zero(start, n)) {
        continue; // nft's marker before a first range that does not start at zero: the kernel's rbtree needs it
      }
      if (start[n] != 0) {
        throw new IllegalStateException("set " + shape.name() + " has an interval end with no start before it");
      }
      byte[] last;
      if (i + 1 < boundaries.size() && boundaries.get(i + 1)[n] == 1) {
        last = minusOne(boundaries.get(++i), n, part);
      } else if (i + 1 == boundaries.size()) {
        last = new byte[n];
        java.util.Arrays.fill(last, (byte) 0xff);
      } else {
        throw new IllegalStateException("set " + shape.name() + " has two interval starts with no end between them");
      }
      text.setLength(0);
      NlValueText.range(text, part, start, 0, last, 0);
      texts.add(text.toString());
    }
    boundaries.clear();
  }

  private static boolean zero(byte[] b, int n) {
    for (int i = 0; i < n; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private byte[] minusOne(byte[] end, int n, Part part) {
    byte[] v = java.util.Arrays.copyOf(end, n);
    for (int i = n - 1; i >= 0; i--) {
      if (v[i]-- != 0) {
        return v;
      }
    }
    throw new IllegalStateException("set " + shape.name() + " has an interval ending at the lowest " + part.type().text);
  }

  private byte[] value(NlAttrs e, int type) {
    if (!e.has(type)) {
      throw new IllegalStateException("an element of set " + shape.name() + " has no key");
    }
    NlAttrs data = e.nested(type, DATA_VALUE);
    if (!data.has(DATA_VALUE) || data.length(DATA_VALUE) != shape.keyLength()) {
      throw new IllegalStateException("an element of set " + shape.name() + " has a key of "
          + (data.has(DATA_VALUE) ? data.length(DATA_VALUE) : 0) + " bytes, not " + shape.keyLength());
    }
    return data.bytes(DATA_VALUE);
  }

  private void verdict(NlAttrs e) {
    if (!e.has(ELEM_DATA)) {
      throw new IllegalStateException("an element of map " + shape.name() + " has no value");
    }
    NlAttrs data = e.nested(ELEM_DATA, DATA_VERDICT);
    if (!data.has(DATA_VERDICT)) {
      throw new IllegalStateException("an element of verdict map " + shape.name() + " holds no verdict");
    }
    NlAttrs v = data.nested(DATA_VERDICT, VERDICT_CHAIN);
    int code = v.u32(VERDICT_CODE);
    switch (code) {
      case 0 -> text.append("drop");
      case 1 -> text.append("accept");
      case -1 -> text.append("continue");
      case -5 -> text.append("return");
      case -3, -4 -> text.append(code == -3 ? "jump " : "goto ").append(v.string(VERDICT_CHAIN));
      default -> throw new IllegalStateException("map " + shape.name() + " holds verdict code " + code
          + ", which this reader does not know");
    }
  }
}
