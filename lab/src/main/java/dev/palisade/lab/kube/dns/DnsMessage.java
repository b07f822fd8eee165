package dev.palisade.lab.kube.dns;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Pure: the little of the DNS wire format (RFC 1035) a cluster resolver needs: read a query's
 * single question, write the answer to it. Answers carry A records only and never compress
 * anything but the answer's owner name (a pointer to the question, offset 12). EDNS options of
 * the query are ignored and none are sent back, which every resolver accepts.
 */
public final class DnsMessage {
  public static final int TYPE_A = 1;
  public static final int TYPE_ANY = 255;
  public static final int CLASS_IN = 1;
  public static final int NOERROR = 0;
  public static final int FORMERR = 1;
  public static final int NXDOMAIN = 3;
  public static final int NOTIMP = 4;
  public static final int REFUSED = 5;
  private static final int HEADER = 12;

  /**
   * A query's question.
   *
   * @param name lower case, without the trailing dot
   * @param questionEnd offset just after the question (what the answer copies back)
   */
  public record Query(int id, int flags, String name, int type, int klass, int questionEnd) {
    public boolean recursionDesired() {
      return (flags & 0x0100) != 0;
    }

    public int opcode() {
      return (flags >> 11) & 0xf;
    }
  }

  private DnsMessage() {}

  /**
   * The query's question, or empty if the bytes are not a query with exactly one question (too
   * short to answer at all when {@link #id} is empty too).
   */
  public static Optional<Query> parse(byte[] msg, int length) {
    if (length < HEADER) {
      return Optional.empty();
    }
    int flags = u16(msg, 2);
    if ((flags & 0x8000) != 0 || u16(msg, 4) != 1) {
      return Optional.empty(); // a response, or not one question
    }
    List<String> labels = new ArrayList<>();
    int p = HEADER;
    while (true) {
      if (p >= length) {
        return Optional.empty();
      }
      int len = msg[p] & 0xff;
      p++;
      if (len == 0) {
        break;
      }
      if (len > 63 || p + len > length) {
        return Optional.empty(); // compression in a question, or truncated
      }
      labels.add(new String(msg, p, len, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT));
      p += len;
    }
    if (p + 4 > length) {
      return Optional.empty();
    }
    return Optional.of(new Query(u16(msg, 0), flags, String.join(".", labels), u16(msg, p), u16(msg, p + 2), p + 4));
  }

  /** The query's id, when at least that much arrived (to send FORMERR to). */
  public static Optional<Integer> id(byte[] msg, int length) {
    return length >= 2 ? Optional.of(u16(msg, 0)) : Optional.empty();
  }

  /** The response: the question copied back, then one A record per address (TTL in seconds). */
  public static byte[] answer(byte[] query, Query q, int rcode, List<String> addresses, int ttl) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(q.questionEnd() + addresses.size() * 16);
    writeU16(out, q.id());
    // QR, the query's opcode and RD, AA (we are the zone's authority), no RA: we recurse nowhere.
    writeU16(out, 0x8000 | (q.flags() & 0x7900) | 0x0400 | (rcode & 0xf));
    writeU16(out, 1);
    writeU16(out, addresses.size());
    writeU16(out, 0);
    writeU16(out, 0);
    out.write(query, HEADER, q.questionEnd() - HEADER);
    for (String a : addresses) {
      writeU16(out, 0xc000 | HEADER); // the owner name is the question's
      writeU16(out, TYPE_A);
      writeU16(out, CLASS_IN);
      writeU16(out, ttl >>> 16);
      writeU16(out, ttl & 0xffff);
      writeU16(out, 4);
      for (String part : a.split("\\.")) {
        out.write(Integer.parseInt(part));
      }
    }
    return out.toByteArray();
  }

  /** A header-only response with an error code, for what could not be parsed. */
  public static byte[] error(int id, int rcode) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(HEADER);
    writeU16(out, id);
    writeU16(out, 0x8000 | (rcode & 0xf));
    for (int i = 0; i < 4; i++) {
      writeU16(out, 0);
    }
    return out.toByteArray();
  }

  /** A query for the name (for tests and probes). */
  public static byte[] query(int id, String name, int type) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(HEADER + name.length() + 6);
    writeU16(out, id);
    writeU16(out, 0x0100);
    writeU16(out, 1);
    writeU16(out, 0);
    writeU16(out, 0);
    writeU16(out, 0);
    for (String label : name.split("\\.")) {
      byte[] b = label.getBytes(StandardCharsets.US_ASCII);
      out.write(b.length);
      out.write(b, 0, b.length);
    }
    out.write(0);
    writeU16(out, type);
    writeU16(out, CLASS_IN);
    return out.toByteArray();
  }

  /** The response code of a response. */
  public static int rcode(byte[] msg) {
    return msg[3] & 0xf;
  }

  /** The addresses of a response's A records (for tests and probes; follows only the layout {@link #answer} writes). */
  public static List<String> addresses(byte[] msg, int length) {
    List<String> out = new ArrayList<>();
    int answers = u16(msg, 6);
    int p = HEADER;
    while (msg[p] != 0) {
      p += (msg[p] & 0xff) + 1;
    }
    p += 5;
    for (int i = 0; i < answers && p + 12 <= length; i++) {
      p += (msg[p] & 0xc0) == 0xc0 ? 2 : skipName(msg, p);
      int type = u16(msg, p);
      int rdlength = u16(msg, p + 8);
      p += 10;
      if (type == TYPE_A && rdlength == 4) {
        out.add((msg[p] & 0xff) + "." + (msg[p + 1] & 0xff) + "." + (msg[p + 2] & 0xff) + "." + (msg[p + 3] & 0xff));
      }
      p += rdlength;
    }
    return out;
  }

  private static int skipName(byte[] msg, int p) {
    int start = p;
    while (msg[p] != 0 && (msg[p] & 0xc0) != 0xc0) {
      p += (msg[p] & 0xff) + 1;
    }
    return (msg[p] == 0 ? p + 1 : p + 2) - start;
  }

  private static int u16(byte[] b, int at) {
    return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
  }

  private static void writeU16(ByteArrayOutputStream out, int v) {
    out.write((v >> 8) & 0xff);
    out.write(v & 0xff);
  }
}
