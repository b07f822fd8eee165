package dev.palisade.bench.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.compile.AllowListCompiler;
import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.model.FlowRecord;
import dev.palisade.model.IdentityPolicy;
import dev.palisade.model.Mode;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The benchmark measures what it says: the sizes hold, and incremental and full compile agree. */
class CompileScenarioTest {
  private static final CompileScenario PAPER = CompileScenario.paperSized();

  @Test
  void theScenarioHasTheAdvertisedSize() {
    assertEquals(CompileScenario.PAPER_WORKLOADS, PAPER.allIdentities.size());
    assertEquals(CompileScenario.PAPER_EDGES, PAPER.edges.size());
    Set<String> pods = new HashSet<>();
    PAPER.edges.forEach(e -> {
      pods.addAll(e.sourcePods());
      pods.addAll(e.destinationPods());
    });
    assertTrue(pods.size() > CompileScenario.PAPER_PODS * 0.95 && pods.size() <= CompileScenario.PAPER_PODS,
        "pods seen on edges: " + pods.size());
    long approved = PAPER.edges.stream().filter(e -> e.status() == EdgeStatus.APPROVED).count();
    assertEquals(0.7, approved / (double) PAPER.edges.size(), 0.01);
    assertEquals(EdgeStatus.LEARNED, PAPER.approval.status());
  }

  @Test
  void incrementalCompileGivesTheFullCompilesPoliciesForTheTwoEnds() {
    Set<Long> two = PAPER.approvalIdentities();
    assertEquals(2, two.size());
    for (var lookup : List.of(PAPER.mapLookup(), PAPER.controllerLookup())) {
      AllowListCompiler compiler = new AllowListCompiler(lookup, id -> Mode.ENFORCE);
      Map<Long, IdentityPolicy> full = compiler.compile(PAPER.edges, PAPER.allIdentities);
      Map<Long, IdentityPolicy> incremental = compiler.compile(PAPER.edges, two);
      assertEquals(two, incremental.keySet());
      two.forEach(id -> assertEquals(full.get(id), incremental.get(id)));
      assertTrue(full.values().stream().mapToInt(p -> p.ingress().size()).sum() > 60_000,
          "most approved edges become ingress rules");
    }
  }

  @Test
  void ingestOfAReportUpdatesExistingEdgesAndBothLookupsAgree() {
    CompileScenario s = CompileScenario.of(50, 500, 2_000, 0.5, 7);
    List<FlowRecord> batch = s.reportBatches().get(0);
    long before = s.graph.edges().stream().mapToLong(EdgeView::count).sum();
    assertEquals(List.of(), s.graph.ingest(CompileScenario.report("n", 1, batch), s.arrayVertexOf()));
    assertEquals(List.of(), s.graph.ingest(CompileScenario.report("n", 2, batch), s.controllerVertexOf()));
    long added = batch.stream().mapToLong(FlowRecord::count).sum();
    assertEquals(before + 2 * added, s.graph.edges().stream().mapToLong(EdgeView::count).sum());
  }
}
