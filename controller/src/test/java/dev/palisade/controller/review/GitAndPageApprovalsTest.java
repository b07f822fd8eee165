package dev.palisade.controller.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.MockApiServer;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.approved.ApprovedGraphIndex;
import dev.palisade.controller.compile.AllowListCompiler;
import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.model.FlowKey;
import dev.palisade.model.FlowRecord;
import dev.palisade.model.FlowReport;
import dev.palisade.model.Identities;
import dev.palisade.model.IdentityPolicy;
import dev.palisade.model.Mode;
import dev.palisade.model.Protocol;
import dev.palisade.model.crd.AllowListCodec;
import dev.palisade.model.crd.AllowListSpec;
import dev.palisade.model.crd.ApprovedGraph;
import dev.palisade.model.crd.ApprovedGraphSpec;
import dev.palisade.model.crd.ReviewAudit;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 22: an outside edge approved in git (an ApprovedGraph) and the same edge approved on the
 * review page compile to the same AllowList, byte for byte: a name, a name pattern over learned
 * names, a range over a learned address, and world ingress.
 */
@MockApiServer
class GitAndPageApprovalsTest {
  static KubernetesClient client;
  private static final String WEB = "shop/StatefulSet/web";
  private static final String FRONT = "shop/Deployment/frontend";
  private static final Map<Long, String> NAMES = Map.of(300L, WEB, 301L, FRONT, Identities.WORLD, "world");
  private static final Map<String, Long> IDS = Map.of(WEB, 300L, FRONT, 301L);
  private static final String[][] DECIDED = {
      {WEB, "dns:api.payments.example", "443"},
      {WEB, "dns:*.s3.example", "443"},
      {WEB, "203.0.113.0/24", "443"},
      {"world", FRONT, "8080"},
  };

  @AfterEach
  void down() {
    client.resources(ReviewAudit.class).list().getItems().forEach(o -> client.resource(o).delete());
  }

  /** The graph both start from: learned traffic only. */
  private static FlowGraph learned() {
    FlowGraph graph = new FlowGraph();
    List<FlowRecord> flows = new ArrayList<>();
    for (String outside : List.of("dns:api.payments.example", "dns:a.s3.example", "dns:b.eu.s3.example",
        "dns:evil.example", "203.0.113.10")) {
      flows.add(new FlowRecord(new FlowKey(300, Identities.WORLD, Protocol.TCP, 443, outside), 4, 1000, 2000,
          List.of("shop/web-0"), List.of()));
    }
    flows.add(new FlowRecord(new FlowKey(Identities.WORLD, 301, Protocol.TCP, 8080), 2, 1000, 2000, List.of(),
        List.of("shop/frontend-x")));
    graph.ingest(new FlowReport("n", 1, flows), NAMES::get);
    return graph;
  }

  private static Map<Long, AllowListSpec> compile(List<EdgeView> edges) {
    Map<Long, IdentityPolicy> p = new AllowListCompiler(v -> Optional.ofNullable(IDS.get(v)), id -> Mode.ENFORCE)
        .compile(edges, Set.of(300L, 301L));
    Map<Long, AllowListSpec> out = new java.util.TreeMap<>();
    p.forEach((id, policy) -> out.put(id, AllowListCodec.toSpec(policy, 7)));
    return out;
  }

  private static String json(Map<Long, AllowListSpec> specs) {
    return JsonMapper.builder().build().writeValueAsString(specs);
  }

  @Test
  void anOutsideEdgeApprovedInGitCompilesAsTheSameEdgeApprovedOnThePage() {
    FlowGraph page = learned();
    EdgeDecisions decisions = new EdgeDecisions(page, new AuditLog(client).restore(), new EdgeDecisions.Effects() {
      @Override
      public void save(Set<String> sources) {}

      @Override
      public long publish(List<EdgeKey> changed) {
        return 1;
      }
    });
    for (String[] d : DECIDED) {
      String body = "{\"status\":\"approved\",\"only\":[{\"from\":\"" + d[0] + "\",\"to\":\"" + d[1] + "\",\"port\":"
          + d[2] + "}]}";
      decisions.decide(new Principal("alice", Role.APPROVER), ReviewRequest.read(body.getBytes(StandardCharsets.UTF_8)),
          0);
    }

    ApprovedGraph g = new ApprovedGraph();
    g.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("approved").build());
    g.setSpec(new ApprovedGraphSpec());
    g.getSpec().edges = new ArrayList<>();
    for (String[] d : DECIDED) {
      ApprovedGraphSpec.Edge e = new ApprovedGraphSpec.Edge();
      e.from = d[0];
      e.to = d[1];
      e.port = Integer.parseInt(d[2]);
      g.getSpec().edges.add(e);
    }
    List<String> problems = new ArrayList<>();
    ApprovedGraphIndex git = ApprovedGraphIndex.of(List.of(g), problems::add);
    assertEquals(List.of(), problems);
    FlowGraph fromGit = learned();
    Map<Long, AllowListSpec> byGit = compile(git.overlay(fromGit.edges(), Set.of(WEB, FRONT)));
    Map<Long, AllowListSpec> byPage = compile(page.edges());

    assertEquals(json(byPage), json(byGit));
    AllowListSpec web = byGit.get(300L);
    assertTrue(web.egress.stream().anyMatch(r -> "api.payments.example".equals(r.peerName)), json(byGit));
    assertTrue(web.egress.stream().noneMatch(r -> "evil.example".equals(r.peerName)), json(byGit));
    assertEquals("0.0.0.0/0", byGit.get(301L).ingress.get(0).peerCidr);
    // the learned names under the pattern show as approved by git, as the page shows them approved
    assertEquals("git:ApprovedGraph shop/approved", git.approvedBy(
        new EdgeKey(WEB, "dns:b.eu.s3.example", Protocol.TCP, 443), EdgeStatus.LEARNED));
    assertEquals(EdgeStatus.LEARNED, git.statusOf(new EdgeKey(WEB, "dns:*.s3.example", Protocol.TCP, 80),
        EdgeStatus.LEARNED), "another port is another edge");
  }
}
