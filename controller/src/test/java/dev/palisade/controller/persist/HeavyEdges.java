package dev.palisade.controller.persist;

import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.model.FlowKey;
import dev.palisade.model.FlowRecord;
import dev.palisade.model.FlowReport;
import dev.palisade.model.Identities;
import dev.palisade.model.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Flow reports whose edges take many bytes, so that a source needs several LearnedFlows parts:
 * example pods and destinations with names at their longest (namespace 63, pod 253 characters),
 * out of a workload ({@link #report}) or into one from outside ({@link #inbound}).
 */
final class HeavyEdges {
  static final String NS = "s".repeat(63);

  private HeavyEdges() {}

  /**
   * One report from {@code source} to each destination id (ids from 1000), round {@code round} of
   * them: each edge gains {@code pods} new example pods at each end (at most 8 a report; an edge keeps 16).
   * Each source has an identity of its own (a graph binds an identity to the first name it is
   * given: sources reported with one identity would all be the first one).
   */
  static void report(FlowGraph g, String source, List<Integer> ids, int round, int pods) {
    List<String> names = IntStream.range(0, pods).mapToObj(i -> NS + "/" + (round * pods + i) + "p".repeat(250))
        .toList();
    long sourceId = 256 + Math.floorMod(source.hashCode(), 700); // below the destinations' 1000
    List<FlowRecord> records = ids.stream()
        .map(id -> new FlowRecord(new FlowKey(sourceId, id, Protocol.TCP, 8080), 1, 1000 + round, 2000 + round, names,
            names))
        .toList();
    g.ingest(new FlowReport(source, 1 + round, records), id -> id == sourceId ? source : NS + "/Deployment/" + id
        + "d".repeat(240));
    if (!ids.isEmpty() && g.edgesFrom(source).isEmpty()) {
      throw new IllegalStateException(source + "'s identity " + sourceId + " is another source's in this graph");
    }
  }

  /**
   * One report of flows from {@code world} (the world's identity) into {@code destination} (of id
   * {@code destinationId}, from 256) on each of {@code ports} over each protocol, round
   * {@code round} of them: each edge gains {@code pods} new example pods at each end, as
   * {@link #report}'s. Past 32 ports of one protocol the graph keeps one scan edge for the rest.
   */
  static void inbound(FlowGraph g, String destination, long destinationId, List<Integer> ports, int round,
      int pods) {
    List<String> names = IntStream.range(0, pods).mapToObj(i -> NS + "/" + (round * pods + i) + "p".repeat(250))
        .toList();
    List<FlowRecord> records = new ArrayList<>();
    for (Protocol protocol : Protocol.values()) {
      for (int port : ports) {
        records.add(new FlowRecord(new FlowKey(Identities.WORLD, destinationId, protocol, port), 1, 1000 + round,
            2000 + round, names, names));
      }
    }
    g.ingest(new FlowReport("world -> " + destination, 1 + round, records),
        id -> id == Identities.WORLD ? "world" : destination);
  }

  /** {@code n} destination ids from {@code first}. */
  static List<Integer> ids(int first, int n) {
    return IntStream.range(first, first + n).boxed().toList();
  }
}
