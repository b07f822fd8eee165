package dev.palisade.controller.graph;

import dev.palisade.model.Protocol;
import java.util.List;

/**
 * One edge of the flow graph: source workload to destination workload on (protocol, port), with
 * the evidence that it happens and the review status. Mutated only under the graph's lock.
 */
public final class FlowEdge {
  static final int MAX_PODS = 16;

  private final String source;
  private final String destination;
  private final Protocol protocol;
  private final int port;
  private EdgeStatus status = EdgeStatus.LEARNED;
  private long count;
  private long firstSeen = Long.MAX_VALUE;
  private long lastSeen;
  private long violations;
  private final PodNames sourcePods = new PodNames();
  private final PodNames destinationPods = new PodNames();

  FlowEdge(String source, String destination, Protocol protocol, int port) {
    this.source = source;
    this.destination = destination;
    this.protocol = protocol;
    this.port = port;
  }

  void record(long n, long first, long last, Iterable<String> srcPods, Iterable<String> dstPods) {
    count += n;
    firstSeen = Math.min(firstSeen, first);
    lastSeen = Math.max(lastSeen, last);
    sourcePods.addAll(srcPods);
    destinationPods.addAll(dstPods);
  }

  /**
   * Sets the state a store kept, or merges a second copy of it: a source kept in several objects
   * may hold one edge twice (a write of its parts cut short leaves the old copy in one part while
   * the new one is already in the next). Evidence only grows, so of each number the larger (the
   * earlier first seen) is the newest, whichever copy comes first; the copies count the same flows,
   * so counts are not added. The status is the newer copy's (on equal evidence the one read last,
   * as for a single copy); the audit log's replay sets a decided edge's status again after this.
   */
  void restore(EdgeStatus status, long count, long first, long last, long violations, Iterable<String> srcPods,
      Iterable<String> dstPods) {
    boolean mineNewer = this.count > count || this.lastSeen > last || this.violations > violations;
    if (!mineNewer) {
      this.status = status;
    }
    this.count = Math.max(this.count, count);
    if (first != 0) { // 0: no evidence yet (firstSeen() gives 0 for none)
      this.firstSeen = Math.min(this.firstSeen, first);
    }
    this.lastSeen = Math.max(this.lastSeen, last);
    this.violations = Math.max(this.violations, violations);
    sourcePods.addAll(srcPods);
    destinationPods.addAll(dstPods);
  }

  void status(EdgeStatus s) {
    status = s;
  }

  void violation(long n) {
    violations += n;
  }

  public String source() {
    return source;
  }

  public String destination() {
    return destination;
  }

  public Protocol protocol() {
    return protocol;
  }

  public int port() {
    return port;
  }

  public EdgeStatus status() {
    return status;
  }

  public long count() {
    return count;
  }

  public long firstSeen() {
    return firstSeen == Long.MAX_VALUE ? 0 : firstSeen;
  }

  public long lastSeen() {
    return lastSeen;
  }

  public long violations() {
    return violations;
  }

  /** Up to {@value #MAX_PODS} distinct pods, in the order first seen. */
  public List<String> sourcePods() {
    return sourcePods.list();
  }

  public List<String> destinationPods() {
    return destinationPods.list();
  }

  public EdgeKey key() {
    return new EdgeKey(source, destination, protocol, port);
  }

  @Override
  public String toString() {
    return source + " -> " + destination + " " + port + "/" + protocol + " [" + status + ", " + count + "]";
  }

  /** Identity of an edge: the vertices (workload keys) and the server port. */
  public record EdgeKey(String source, String destination, Protocol protocol, int port) {
    /** As the page, the CLI and the audit log name an edge: SRC -> DST PORT/PROTO. */
    public String text() {
      return source + " -> " + destination + " " + port + "/" + protocol;
    }

    /**
     * Reads {@link #text} back (vertex names hold no spaces), e.g. from an audit entry.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static EdgeKey parseText(String text) {
      int arrow = text.indexOf(" -> ");
      int space = text.lastIndexOf(' ');
      int slash = text.lastIndexOf('/');
      if (arrow <= 0 || space <= arrow + 4 || slash <= space) {
        throw new IllegalArgumentException("not an edge (SRC -> DST PORT/PROTO): '" + text + "'");
      }
      try {
        return new EdgeKey(text.substring(0, arrow), text.substring(arrow + 4, space),
            Protocol.parse(text.substring(slash + 1)), Integer.parseInt(text.substring(space + 1, slash)));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("not an edge (SRC -> DST PORT/PROTO): '" + text + "': " + e.getMessage(), e);
      }
    }
  }
}
