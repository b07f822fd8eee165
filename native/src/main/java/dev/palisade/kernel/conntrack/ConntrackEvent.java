package dev.palisade.kernel.conntrack;

import java.time.Instant;
import java.util.Objects;

/**
 * One IPv4 conntrack entry as seen in an event or a dump: the original-direction tuple, the
 * mark, and when it happened.
 *
 * @param type NEW or DESTROY for events, DUMP for entries listed by {@link Conntrack#dump()}
 * @param src original source address, dotted IPv4
 * @param dst original destination address, dotted IPv4
 * @param protocol layer 4 protocol number (6 TCP, 17 UDP, 1 ICMP, ...)
 * @param srcPort original source port (0 when the protocol has none)
 * @param dstPort original destination port (0 when the protocol has none)
 * @param mark the connection mark, unsigned 32 bits
 * @param timestamp the kernel's start (NEW, DUMP) or stop (DESTROY) timestamp when conntrack
 *     timestamping is on, else the moment the entry was received
 * @param server the reply direction's source: the endpoint that really answers, which differs
 *     from {@code dst} when the connection was DNAT'd (a service VIP, kube-proxy)
 * @param serverPort the reply direction's source port (the endpoint's real port)
 */
public record ConntrackEvent(
    Type type, String src, String dst, int protocol, int srcPort, int dstPort, long mark, Instant timestamp,
    String server, int serverPort) {

  public enum Type { NEW, DESTROY, DUMP }

  public ConntrackEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(src, "src");
    Objects.requireNonNull(dst, "dst");
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(server, "server");
    if (mark < 0 || mark > 0xffff_ffffL) {
      throw new IllegalArgumentException("mark must be an unsigned 32-bit value: " + mark);
    }
  }

  /** An entry that was not NAT'd: the server is the original destination. */
  public ConntrackEvent(Type type, String src, String dst, int protocol, int srcPort, int dstPort, long mark,
      Instant timestamp) {
    this(type, src, dst, protocol, srcPort, dstPort, mark, timestamp, dst, dstPort);
  }

  /** True when the destination was translated (the server is not the original destination). */
  public boolean natted() {
    return !server.equals(dst) || serverPort != dstPort;
  }

  /** A TCP entry with mark 0, stamped now: convenient for tests and the fake. */
  public static ConntrackEvent tcp(Type type, String src, int srcPort, String dst, int dstPort) {
    return new ConntrackEvent(type, src, dst, 6, srcPort, dstPort, 0, Instant.now());
  }

  /** The same entry with another type (and the same timestamp). */
  public ConntrackEvent withType(Type newType) {
    return new ConntrackEvent(newType, src, dst, protocol, srcPort, dstPort, mark, timestamp, server, serverPort);
  }

  /** The same entry with another timestamp. */
  public ConntrackEvent withTimestamp(Instant newTimestamp) {
    return new ConntrackEvent(type, src, dst, protocol, srcPort, dstPort, mark, newTimestamp, server, serverPort);
  }

  /** True when both describe the same connection: same protocol, addresses and ports. */
  public boolean sameTuple(ConntrackEvent other) {
    return protocol == other.protocol && srcPort == other.srcPort && dstPort == other.dstPort
        && src.equals(other.src) && dst.equals(other.dst);
  }
}
