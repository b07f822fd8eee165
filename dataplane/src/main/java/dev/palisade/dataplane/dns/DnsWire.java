package dev.palisade.dataplane.dns;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Pure: writes the few DNS messages Palisade itself sends: the queries and answers of the lab's
 * and the benchmark's DNS responder, and test packets. A record whose owner is the question's
 * name is written as a compression pointer to it, as real servers do.
 */
public final class DnsWire {
  private DnsWire() {}

  /** One answer record: type A, AAAA (data = address text) or CNAME (data = target name). */
  public record Rr(String owner, String type, long ttl, String data) {}

  /** A query for {@code name} (type A). */
  public static byte[] query(int id, String name) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    u16(out, id);
    u16(out, 0x0100); // RD
    u16(out, 1);
    u16(out, 0);
    u16(out, 0);
    u16(out, 0);
    name(out, name);
    u16(out, 1);
    u16(out, 1);
    return out.toByteArray();
  }

  /** The name a query asks for, or null if {@code q} is not a one-question query. */
  public static String questionOf(byte[] q, int len) {
    if (len < 17 || (q[2] & 0x80) != 0 || q[5] != 1) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    int pos = 12;
    while (pos < len && q[pos] != 0) {
      int l = q[pos] & 0xff;
      if (l > 63 || pos + 1 + l > len) {
        return null;
      }
      if (sb.length() > 0) {
        sb.append('.');
      }
      sb.append(new String(q, pos + 1, l, java.nio.charset.StandardCharsets.US_ASCII));
      pos += 1 + l;
    }
    return sb.toString();
  }

  /** A response to a type-A question for {@code question} carrying {@code answers}. */
  public static byte[] response(int id, String question, List<Rr> answers) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    u16(out, id);
    u16(out, 0x8180); // QR, RD, RA, NOERROR
    u16(out, 1);
    u16(out, answers.size());
    u16(out, 0);
    u16(out, 0);
    name(out, question);
    u16(out, 1);
    u16(out, 1);
    for (Rr r : answers) {
      if (r.owner().equalsIgnoreCase(question)) {
        u16(out, 0xc00c); // pointer to the question's name at offset 12
      } else {
        name(out, r.owner());
      }
      byte[] data = switch (r.type()) {
        case "A", "AAAA" -> address(r.data());
        case "CNAME" -> {
          ByteArrayOutputStream n = new ByteArrayOutputStream();
          name(n, r.data());
          yield n.toByteArray();
        }
        default -> throw new IllegalArgumentException("record type " + r.type() + " is not written here");
      };
      u16(out, switch (r.type()) {
        case "A" -> 1;
        case "AAAA" -> 28;
        default -> 5;
      });
      u16(out, 1);
      u16(out, (int) (r.ttl() >>> 16));
      u16(out, (int) r.ttl());
      u16(out, data.length);
      out.writeBytes(data);
    }
    return out.toByteArray();
  }

  private static byte[] address(String text) {
    try {
      return InetAddress.getByName(text).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an address: " + text);
    }
  }

  private static void name(ByteArrayOutputStream out, String name) {
    for (String label : name.split("\\.")) {
      if (label.isEmpty() || label.length() > 63) {
        throw new IllegalArgumentException("bad label in " + name);
      }
      out.write(label.length());
      out.writeBytes(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
    out.write(0);
  }

  private static void u16(ByteArrayOutputStream out, int v) {
    out.write((v >> 8) & 0xff);
    out.write(v & 0xff);
  }
}
