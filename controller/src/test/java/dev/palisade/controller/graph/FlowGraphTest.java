package dev.palisade.controller.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.compile.AllowListCompiler;
import dev.palisade.model.FlowKey;
import dev.palisade.model.FlowRecord;
import dev.palisade.model.FlowReport;
import dev.palisade.model.IdentityPolicy;
import dev.palisade.model.Mode;
import dev.palisade.model.Peer;
import dev.palisade.model.PeerRule;
import dev.palisade.model.PortRange;
import dev.palisade.model.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FlowGraphTest {
  private static final Map<Long, String> NAMES = Map.of(300L, "shop/Deployment/web", 301L, "shop/Deployment/api",
      302L, "shop/Deployment/db", 3L, "unknown");
  private static final Map<String, Long> IDS = Map.of("shop/Deployment/web", 300L, "shop/Deployment/api", 301L,
      "shop/Deployment/db", 302L);

  private static FlowRecord rec(long src, long dst, int port, long count, long first, long last, String srcPod) {
    return new FlowRecord(new FlowKey(src, dst, Protocol.TCP, port), count, first, last, List.of(srcPod), List.of());
  }

  private final FlowGraph g = new FlowGraph();

  @Test
  void aScanOfManyPortsOfOnePeerIsOneSummaryEdge() {
    List<FlowRecord> scan = new ArrayList<>();
    for (int port = 1; port <= 10_000; port++) {
      scan.add(rec(300, 301, port, 1, 1000, 1000 + port, "shop/web-a"));
    }
    g.ingest(new FlowReport("node-0", 1, scan), NAMES::get);
    List<FlowGraph.EdgeView> web = g.edgesFrom("shop/Deployment/web");
    assertEquals(FlowGraph.SCAN_PORTS + 1, web.size(), "32 ports, then one summary");
    FlowGraph.EdgeView summary = web.stream().filter(v -> FlowGraph.isScan(v.key())).findFirst().orElseThrow();
    assertEquals(10_000 - FlowGraph.SCAN_PORTS, summary.count());
    // another peer, or a port already known, is not part of it
    g.ingest(new FlowReport("node-0", 2, List.of(rec(300, 302, 5432, 1, 2000, 2000, "shop/web-a"),
        rec(300, 301, 7, 1, 2000, 2000, "shop/web-a"))), NAMES::get);
    assertEquals(FlowGraph.SCAN_PORTS + 2, g.edgesFrom("shop/Deployment/web").size());
    assertEquals(2, g.edgesFrom("shop/Deployment/web").stream().filter(v -> v.key().port() == 7).findFirst()
        .orElseThrow().count());
  }

  @Test
  void aPodNameLongerThanAnyPodsIsNotKeptAsAnExample() {
    String longest = "n".repeat(63) + "/" + "p".repeat(253);
    g.ingest(new FlowReport("n", 1, List.of(rec(300, 301, 9090, 1, 100, 100, longest),
        rec(300, 301, 9090, 1, 100, 100, longest + "x"))), NAMES::get);
    assertEquals(List.of(longest), g.edges().get(0).sourcePods(), "an edge's size stays bounded");
  }

  @Test
  void anEdgeKnownByNameIsTheOneRecordsByIdentityLandOn() {
    FlowEdge.EdgeKey key = new FlowEdge.EdgeKey("shop/Deployment/web", "shop/Deployment/api", Protocol.TCP, 9090);
    // restored by name (as after a restart) before any agent reported the identities
    g.restore(key, EdgeStatus.APPROVED, 7, 100, 200, 0, List.of("shop/web-a"), List.of());
    assertEquals(List.of(), g.ingest(new FlowReport("n", 1, List.of(rec(300, 301, 9090, 2, 300, 300, "shop/web-a"))),
        NAMES::get), "the restored edge, not a new one");
    // both identities are known now: their records are placed by number, naming nothing
    java.util.function.LongFunction<String> naming = id -> {
      throw new AssertionError("named " + id);
    };
    g.ingest(new FlowReport("n", 2, List.of(rec(300, 301, 9090, 3, 400, 400, "shop/web-b"))), naming);
    assertEquals(1, g.edges().size());
    FlowGraph.EdgeView v = g.edges().get(0);
    assertEquals(key, v.key());
    assertEquals(12, v.count());
    assertEquals(EdgeStatus.APPROVED, v.status());
    assertEquals(List.of("shop/web-a", "shop/web-b"), v.sourcePods());
    // and by name the same edge: a drop counts on it, a replayed decision sets it, readers find it
    assertTrue(g.violation(key, 4));
    assertTrue(g.replay(key, EdgeStatus.REJECTED));
    g.ingest(new FlowReport("n", 3, List.of(rec(300, 301, 9090, 1, 500, 500, "shop/web-a"))), naming);
    assertEquals(5, g.edges().get(0).violations(), "4 by name, 1 by identity");
    assertEquals(List.of(key), g.edgesFrom("shop/Deployment/web").stream().map(FlowGraph.EdgeView::key).toList());
    assertEquals(List.of(key), g.edgesTouching(Set.of("shop/Deployment/api")).stream()
        .map(FlowGraph.EdgeView::key).toList());
    assertEquals(Set.of("shop/Deployment/web", "shop/Deployment/api"), g.vertices());
  }

  @Test
  void anIdNamedLaterIsNotKeptOnTheUnknownEdgeItsFirstRecordsMade() {
    java.util.HashMap<Long, String> names = new java.util.HashMap<>(NAMES);
    names.remove(302L); // the controller has not given 302 yet: its name is "unknown"
    java.util.function.LongFunction<String> vertexOf = id -> names.getOrDefault(id, "unknown");
    g.ingest(new FlowReport("node-0", 1, List.of(rec(300, 302, 5432, 1, 1000, 1000, "shop/web-a"))), vertexOf);
    g.ingest(new FlowReport("node-0", 2, List.of(rec(300, 302, 5432, 1, 1100, 1100, "shop/web-a"))), vertexOf);
    assertEquals(List.of("unknown"), g.edgesFrom("shop/Deployment/web").stream().map(v -> v.key().destination()).toList());
    names.put(302L, "shop/Deployment/db");
    g.ingest(new FlowReport("node-0", 3, List.of(rec(300, 302, 5432, 4, 1200, 1200, "shop/web-a"))), vertexOf);
    g.ingest(new FlowReport("node-0", 4, List.of(rec(300, 302, 5432, 1, 1300, 1300, "shop/web-a"))), vertexOf);
    Map<String, Long> counts = new java.util.TreeMap<>();
    g.edgesFrom("shop/Deployment/web").forEach(v -> counts.put(v.key().destination(), v.count()));
    assertEquals(Map.of("unknown", 2L, "shop/Deployment/db", 5L), counts);
    // and a workload's id, once named, keeps its edge: the same records land there however often they come
    names.put(302L, "renamed/Deployment/never");
    g.ingest(new FlowReport("node-0", 5, List.of(rec(300, 302, 5432, 1, 1400, 1400, "shop/web-a"))), vertexOf);
    assertEquals(6, g.edgesFrom("shop/Deployment/web").stream().filter(v -> v.key().destination()
        .equals("shop/Deployment/db")).findFirst().orElseThrow().count());
  }

  @Test
  void aLowerSequenceIsTakenAndOnlyRecentRepeatsAreIgnored() {
    g.ingest(new FlowReport("node-0", 5_000, List.of(rec(300, 301, 9090, 1, 1000, 1000, "shop/web-a"))), NAMES::get);
    // the agent restarted with its clock set back: a lower sequence is new data, not a repeat
    g.ingest(new FlowReport("node-0", 10, List.of(rec(300, 301, 9090, 1, 1100, 1100, "shop/web-a"))), NAMES::get);
    g.ingest(new FlowReport("node-0", 10, List.of(rec(300, 301, 9090, 1, 1100, 1100, "shop/web-a"))), NAMES::get);
    assertEquals(2, g.edgesFrom("shop/Deployment/web").get(0).count(), "5000 and 10 counted, the repeat of 10 not");
    for (long seq = 11; seq < 11 + FlowGraph.RECENT_SEQUENCES; seq++) {
      g.ingest(new FlowReport("node-0", seq, List.of()), NAMES::get);
    }
    g.ingest(new FlowReport("node-0", 5_000, List.of(rec(300, 301, 9090, 1, 1200, 1200, "shop/web-a"))), NAMES::get);
    assertEquals(3, g.edgesFrom("shop/Deployment/web").get(0).count(), "memory per node is bounded");
  }

  @Test
  void reportsMergeIntoOneEdgePerWorkloadPairAndPortAndRetriesAreNotCounted() {
    var fresh = g.ingest(new FlowReport("node-0", 1, List.of(rec(300, 301, 9090, 10, 1000, 2000, "shop/web-a"),
        rec(301, 302, 5432, 3, 1500, 1600, "shop/api-a"))), NAMES::get);
    assertEquals(2, fresh.size());
    g.ingest(new FlowReport("node-1", 1, List.of(rec(300, 301, 9090, 5, 900, 2500, "shop/web-b"))), NAMES::get);
    g.ingest(new FlowReport("node-1", 1, List.of(rec(300, 301, 9090, 5, 900, 2500, "shop/web-b"))), NAMES::get);
    var web = g.edgesFrom("shop/Deployment/web");
    assertEquals(1, web.size());
    assertEquals(15, web.get(0).count(), "the retried batch (same node, same sequence) is ignored");
    assertEquals(900, web.get(0).firstSeen());
    assertEquals(2500, web.get(0).lastSeen());
    assertEquals(List.of("shop/web-a", "shop/web-b"), web.get(0).sourcePods());
    assertEquals(EdgeStatus.LEARNED, web.get(0).status());
  }

  @Test
  void aWorkloadTalkingToItselfIsALoopEdgeThatCompilesToBothDirections() {
    g.ingest(new FlowReport("n", 1, List.of(rec(302, 302, 7000, 4, 1, 2, "shop/db-0"))), NAMES::get);
    assertEquals(1, g.edges().size());
    g.review(e -> true, EdgeStatus.APPROVED);
    AllowListCompiler compiler = new AllowListCompiler(v -> Optional.ofNullable(IDS.get(v)), id -> Mode.ENFORCE);
    Map<Long, IdentityPolicy> p = compiler.compile(g.edgesTouching(Set.of("shop/Deployment/db")), Set.of(302L));
    PeerRule self = new PeerRule(new Peer.OfIdentity(302), Protocol.TCP, PortRange.of(7000));
    assertEquals(List.of(self), p.get(302L).ingress());
    assertEquals(List.of(self), p.get(302L).egress());
  }

  @Test
  void edgesTouchingIsExactlyTheEdgesAtThoseEndsAndCompilesAsTheWholeGraphDoes() {
    g.ingest(new FlowReport("n", 1, List.of(rec(300, 301, 9090, 1, 1, 1, "w"), rec(301, 302, 5432, 1, 1, 1, "a"),
        rec(300, 302, 5432, 1, 1, 1, "w"))), NAMES::get);
    g.review(e -> true, EdgeStatus.APPROVED);
    var touching = g.edgesTouching(Set.of("shop/Deployment/web"));
    assertEquals(List.of("shop/Deployment/web>shop/Deployment/api", "shop/Deployment/web>shop/Deployment/db"),
        touching.stream().map(v -> v.key().source() + ">" + v.key().destination()).toList());
    AllowListCompiler compiler = new AllowListCompiler(v -> Optional.ofNullable(IDS.get(v)), id -> Mode.ENFORCE);
    assertEquals(compiler.compile(g.edges(), Set.of(300L)), compiler.compile(touching, Set.of(300L)));
  }

  @Test
  void approvedEdgesCompileToIngressAndEgressOfBothEnds() {
    g.ingest(new FlowReport("n", 1, List.of(rec(300, 301, 9090, 1, 1, 1, "w"), rec(301, 302, 5432, 1, 1, 1, "a"),
        rec(3, 302, 5432, 1, 1, 1, "?"))), NAMES::get);
    g.review(e -> e.source().equals("shop/Deployment/web"), EdgeStatus.APPROVED);
    AllowListCompiler compiler = new AllowListCompiler(v -> Optional.ofNullable(IDS.get(v)), id -> Mode.ENFORCE);
    Map<Long, IdentityPolicy> p = compiler.compile(g.edges(), Set.of(300L, 301L, 302L));
    assertEquals(List.of(new PeerRule(new Peer.OfIdentity(301), Protocol.TCP, PortRange.of(9090))), p.get(300L).egress());
    assertEquals(List.of(new PeerRule(new Peer.OfIdentity(300), Protocol.TCP, PortRange.of(9090))), p.get(301L).ingress());
    assertEquals(List.of(), p.get(301L).egress(), "api -> db is only learned, not approved");
    assertEquals(List.of(), p.get(302L).ingress());
    g.review(e -> true, EdgeStatus.APPROVED);
    p = compiler.compile(g.edges(), Set.of(302L));
    assertEquals(Set.of(302L), p.keySet(), "incremental: only what was asked");
    assertEquals(1, p.get(302L).ingress().size(), "unknown sources never become allow rules");
  }

  @Test
  void rejectedEdgesCountViolations() {
    g.ingest(new FlowReport("n", 1, List.of(rec(300, 302, 5432, 2, 1, 1, "w"))), NAMES::get);
    var changed = g.review(e -> true, EdgeStatus.REJECTED);
    assertEquals(1, changed.size());
    g.ingest(new FlowReport("n", 2, List.of(rec(300, 302, 5432, 4, 2, 2, "w"))), NAMES::get);
    assertEquals(4, g.edges().get(0).violations());
    assertTrue(g.version() >= 3);
  }

  @Test
  void aPlanChangesNothingAndReplayingSetsOnlyKnownEdges() {
    g.ingest(new FlowReport("n", 1, List.of(rec(300, 301, 9090, 1, 1, 1, "w"), rec(301, 302, 5432, 1, 1, 1, "a"))),
        NAMES::get);
    long version = g.version();
    var planned = g.plan(e -> true, EdgeStatus.APPROVED);
    assertEquals(2, planned.size());
    assertEquals(version, g.version(), "a plan is not a change");
    assertTrue(g.edges().stream().allMatch(v -> v.status() == EdgeStatus.LEARNED));

    FlowEdge.EdgeKey first = planned.get(0).key();
    assertTrue(g.replay(first, EdgeStatus.APPROVED));
    assertEquals(false, g.replay(first, EdgeStatus.APPROVED), "already so");
    assertEquals(false, g.replay(new FlowEdge.EdgeKey("a/B/c", "d/E/f", Protocol.TCP, 1), EdgeStatus.APPROVED),
        "an edge the graph does not know is not made up");
    assertEquals(1, g.plan(e -> true, EdgeStatus.APPROVED).size());
  }

  @Test
  void anEdgeReadsBackFromItsText() {
    FlowEdge.EdgeKey k = new FlowEdge.EdgeKey("shop/Deployment/web", "kube-system/Pod/dns-0", Protocol.UDP, 53);
    assertEquals("shop/Deployment/web -> kube-system/Pod/dns-0 53/UDP", k.text());
    assertEquals(k, FlowEdge.EdgeKey.parseText(k.text()));
    for (String bad : List.of("", "a -> b", "a -> b 53", "a -> b x/TCP", "a -> b 53/ICMPX", " -> b 53/TCP")) {
      try {
        FlowEdge.EdgeKey.parseText(bad);
        throw new AssertionError("accepted '" + bad + "'");
      } catch (IllegalArgumentException expected) {
        assertTrue(expected.getMessage().contains("not an edge"), expected.getMessage());
      }
    }
  }
}
