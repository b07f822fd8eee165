package dev.palisade.controller.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.controller.persist.ControllerRestore;
import dev.palisade.controller.persist.LearnedFlowsWriter;
import dev.palisade.model.Cidr;
import dev.palisade.model.FlowKey;
import dev.palisade.model.FlowRecord;
import dev.palisade.model.FlowReport;
import dev.palisade.model.Identities;
import dev.palisade.model.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Outside vertices: how flows to the world are named, summarized and restored. */
class OutsideVerticesTest {
  private static final String WEB = "shop/StatefulSet/web";
  private static final Map<Long, String> NAMES = Map.of(300L, WEB, 301L, "shop/Deployment/api",
      Identities.WORLD, "world");

  private static FlowRecord toWorld(long src, String outside, int port) {
    return new FlowRecord(new FlowKey(src, Identities.WORLD, Protocol.TCP, port, outside), 1, 1000, 2000,
        List.of("shop/web-0"), List.of());
  }

  private static Set<String> farEnds(FlowGraph g, String source) {
    Set<String> out = new TreeSet<>();
    g.edgesFrom(source).forEach(e -> out.add(e.key().destination()));
    return out;
  }

  @Test
  void aResolvedNameIsItsOwnVertexAndAnUnresolvedAddressIsTheAddress() {
    FlowGraph g = new FlowGraph();
    g.ingest(new FlowReport("n", 1, List.of(toWorld(300, "dns:API.Payments.Example.", 443),
        toWorld(300, "203.0.113.10", 443), toWorld(300, null, 443), toWorld(301, "2001:db8::1", 443))), NAMES::get);
    assertEquals(Set.of("dns:api.payments.example", "203.0.113.10", "world"), farEnds(g, WEB));
    assertEquals(Set.of("world"), farEnds(g, "shop/Deployment/api"), "IPv6 is not summarized: it is the world");
  }

  @Test
  void aScanOfTenThousandAddressesLeavesABoundedGraph() {
    FlowGraph g = new FlowGraph();
    List<FlowRecord> batch = new ArrayList<>();
    long seq = 0;
    for (int i = 0; i < 10_000; i++) {
      // 10,000 addresses 7919 apart: about 1,200 /16s, each address in a /24 of its own
      int ip = Cidr.parseIp("100.64.0.0", "x") + i * 7919;
      batch.add(toWorld(300, Cidr.ipText(ip), 443));
      if (batch.size() == 1000) {
        g.ingest(new FlowReport("n", ++seq, batch), NAMES::get);
        batch = new ArrayList<>();
      }
    }
    Set<String> ends = farEnds(g, WEB);
    int bound = OutsideVertices.BLOCKS_PER_SOURCE * (OutsideVertices.ADDRESSES_PER_BLOCK + 1)
        + OutsideVertices.WIDE_BLOCKS_PER_SOURCE + 1;
    assertTrue(ends.size() <= bound, ends.size() + " vertices");
    assertTrue(ends.contains("world"), "past the /16 bound the rest is the world");
    assertEquals(ends.size() + 1, g.vertices().size());
    assertEquals(10_000, g.edgesFrom(WEB).stream().mapToLong(EdgeView::count).sum(), "no connection is lost");
  }

  @Test
  void manyAddressesInOneBlockCollapseIntoItsSlash24AndTheFirstKeepTheirVertices() {
    OutsideVertices o = new OutsideVertices();
    for (int i = 1; i <= OutsideVertices.ADDRESSES_PER_BLOCK; i++) {
      assertEquals("203.0.113." + i, o.vertexOf(WEB, "203.0.113." + i));
    }
    assertEquals("203.0.113.0/24", o.vertexOf(WEB, "203.0.113.99"));
    assertEquals("203.0.113.3", o.vertexOf(WEB, "203.0.113.3"), "an address with a vertex keeps it");
    assertEquals("203.0.113.9", o.vertexOf("shop/Deployment/api", "203.0.113.9"), "bounds are per source");
    for (int b = 0; b < OutsideVertices.BLOCKS_PER_SOURCE - 1; b++) {
      o.vertexOf(WEB, "198.51." + b + ".1");
    }
    assertEquals("198.51.0.0/16", o.vertexOf(WEB, "198.51.200.1"),
        "a 17th /24 goes to its /16");
  }

  @Test
  void tooManyNamesFromOneSourceAreTheWorld() {
    OutsideVertices o = new OutsideVertices();
    for (int i = 0; i < OutsideVertices.NAMES_PER_SOURCE; i++) {
      assertEquals("dns:n" + i + ".example", o.vertexOf(WEB, "dns:n" + i + ".example"));
    }
    assertEquals("world", o.vertexOf(WEB, "dns:one-more.example"));
    assertEquals("dns:n7.example", o.vertexOf(WEB, "dns:n7.example"));
  }

  @Test
  void outsideVerticesSurviveARestartAndSummarizingGoesOnWhereItWas() {
    FlowGraph g = new FlowGraph();
    List<FlowRecord> flows = new ArrayList<>();
    for (int i = 1; i <= 12; i++) {
      flows.add(toWorld(300, "203.0.113." + i, 443));
    }
    flows.add(toWorld(300, "dns:api.payments.example", 443));
    g.ingest(new FlowReport("n", 1, flows), NAMES::get);
    g.declare(new FlowEdge.EdgeKey(WEB, "dns:*.s3.example", Protocol.TCP, 443), EdgeStatus.APPROVED);

    // saved as the controller saves them, read back as it restores them
    FlowGraph restored = new FlowGraph();
    LearnedFlowsWriter.objectsOf(WEB, g.edgesFrom(WEB)).forEach(lf -> ControllerRestore.restoreEdges(restored, lf));
    assertEquals(g.edges(), restored.edges());
    assertTrue(farEnds(restored, WEB).containsAll(List.of("203.0.113.0/24", "dns:api.payments.example",
        "dns:*.s3.example", "203.0.113.8")));
    restored.ingest(new FlowReport("n", 1, List.of(toWorld(300, "203.0.113.77", 443), toWorld(300, "203.0.113.2",
        443))), NAMES::get);
    assertEquals(farEnds(g, WEB), farEnds(restored, WEB), "the new address joins the /24, the old keeps its vertex");
  }

  @Test
  void vertexNamesAreReadStrictly() {
    assertEquals("203.0.113.7", OutsideVertex.parse("203.0.113.7/32").text());
    assertEquals("dns:*.s3.example", OutsideVertex.parse("dns:*.s3.example").text());
    assertTrue(OutsideVertex.parse("dns:*.s3.example").covers(OutsideVertex.parse("dns:a.b.s3.example")));
    assertFalse(OutsideVertex.parse("dns:*.s3.example").covers(OutsideVertex.parse("dns:s3.example")));
    assertTrue(OutsideVertex.parse("198.51.100.0/24").covers(OutsideVertex.parse("198.51.100.20")));
    assertFalse(OutsideVertex.parse("198.51.100.0/24").covers(OutsideVertex.parse("198.51.0.0/16")));
    assertFalse(OutsideVertex.parse("world").covers(OutsideVertex.parse("198.51.100.20")));
    for (String bad : List.of("203.0.113.7/24", "dns:API.example", "dns:x", "dns:a.*.example", "0.0.0.0/0",
        "256.1.1.1", "shop/Deployment/web", "10.0.0.0/33", "")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OutsideVertex.parse(bad), bad);
      assertFalse(e.getMessage().isBlank());
    }
    assertTrue(OutsideVertex.parse("203.0.113.0/24") instanceof OutsideVertex.Range);
  }
}
