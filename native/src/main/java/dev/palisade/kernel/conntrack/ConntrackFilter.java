package dev.palisade.kernel.conntrack;

/**
 * Selects conntrack entries; every field is optional (null matches anything) and the set ones
 * must all match.
 *
 * @param src original source address, dotted IPv4
 * @param dst original destination address, dotted IPv4
 * @param mark connection mark, unsigned 32 bits
 * @param dstPort original destination port
 * @param protocol layer 4 protocol number
 */
public record ConntrackFilter(String src, String dst, Long mark, Integer dstPort, Integer protocol) {

  /** Matches every entry. */
  public static ConntrackFilter any() {
    return new ConntrackFilter(null, null, null, null, null);
  }

  public static ConntrackFilter byDstPort(int port) {
    return new ConntrackFilter(null, null, null, port, null);
  }

  public static ConntrackFilter byMark(long mark) {
    return new ConntrackFilter(null, null, mark, null, null);
  }

  public ConntrackFilter withSrc(String value) {
    return new ConntrackFilter(value, dst, mark, dstPort, protocol);
  }

  public ConntrackFilter withDst(String value) {
    return new ConntrackFilter(src, value, mark, dstPort, protocol);
  }

  public ConntrackFilter withMark(Long value) {
    return new ConntrackFilter(src, dst, value, dstPort, protocol);
  }

  public ConntrackFilter withDstPort(Integer value) {
    return new ConntrackFilter(src, dst, mark, value, protocol);
  }

  public ConntrackFilter withProtocol(Integer value) {
    return new ConntrackFilter(src, dst, mark, dstPort, value);
  }

  public boolean matches(ConntrackEvent e) {
    return (src == null || src.equals(e.src()))
        && (dst == null || dst.equals(e.dst()))
        && (mark == null || mark == e.mark())
        && (dstPort == null || dstPort == e.dstPort())
        && (protocol == null || protocol == e.protocol());
  }
}
