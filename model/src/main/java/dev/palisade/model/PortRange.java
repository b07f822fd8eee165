package dev.palisade.model;

/** An inclusive port range; a single port has first == last. */
public record PortRange(int first, int last) implements Comparable<PortRange> {
  public static final PortRange ALL = new PortRange(1, 65535);

  public PortRange {
    if (first < 1 || last > 65535 || first > last) {
      throw new IllegalArgumentException("port range must be 1 <= first <= last <= 65535, not " + first + "-" + last);
    }
  }

  public static PortRange of(int port) {
    return new PortRange(port, port);
  }

  public boolean contains(int port) {
    return port >= first && port <= last;
  }

  @Override
  public String toString() {
    return first == last ? Integer.toString(first) : first + "-" + last;
  }

  @Override
  public int compareTo(PortRange o) {
    return first != o.first ? Integer.compare(first, o.first) : Integer.compare(last, o.last);
  }
}
