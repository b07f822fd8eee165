package dev.palisade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.MockApiServer;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.StaticTokens;
import dev.palisade.controller.service.PalisadeController;
import dev.palisade.model.Mode;
import dev.palisade.model.crd.SegmentationMode;
import dev.palisade.model.crd.WorkloadIdentity;
import dev.palisade.testkit.AnswerLosingProxy;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The review commands against a controller on the fabric8 mock API server, through its HTTP API. */
@MockApiServer
class ReviewCommandsTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  static KubernetesClient client;
  @TempDir Path dir;

  private final StaticTokens tokens = new StaticTokens();
  private PalisadeController controller;
  private Path approver;
  private Path viewer;

  /** What one command printed and returned. */
  record Run(int code, String out, String err) {}

  @BeforeEach
  void start() throws Exception {
    // a mode may be set only for a namespace that exists (the API answers 404 otherwise)
    if (client.namespaces().withName("shop").get() == null) {
      client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
          .withName("shop").endMetadata().build()).create();
    }
    for (String name : new String[] {"web", "db"}) {
      client.pods().inNamespace("shop").resource(new PodBuilder().withMetadata(new ObjectMetaBuilder()
          .withNamespace("shop").withName(name).withLabels(Map.of("app", name)).build()).withNewSpec().withNodeName("lab-node-0").endSpec().build()).createOr(x -> x.update());
    }
    controller = new PalisadeController(client, tokens, Mode.LEARN);
    controller.start("127.0.0.1", 0, Duration.ofSeconds(20));
    approver = Files.writeString(dir.resolve("approver"), tokens.issue(new Principal("alice", Role.APPROVER)) + "\n");
    viewer = Files.writeString(dir.resolve("viewer"), tokens.issue(new Principal("bob", Role.VIEWER)));
    report(1, 5432);
  }

  /** The agent reports web -> db flows on the given TCP ports. */
  private void report(long sequence, int... ports) throws Exception {
    long web = id("pod-web");
    long db = id("pod-db");
    StringBuilder flows = new StringBuilder();
    for (int port : ports) {
      flows.append(flows.length() == 0 ? "" : ",").append("{\"src\":").append(web).append(",\"dst\":").append(db)
          .append(",\"protocol\":\"TCP\",\"port\":").append(port).append(",\"count\":2,\"first\":" + (System.currentTimeMillis() - 1000) + ",\"last\":" + System.currentTimeMillis() + ",")
          .append("\"srcPods\":[\"shop/web\"],\"dstPods\":[\"shop/db\"]}");
    }
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url() + "/v1/flows"))
        .header("Authorization", "Bearer " + tokens.issue(new Principal("lab-node-0", Role.AGENT)))
        .POST(HttpRequest.BodyPublishers.ofString("{\"node\":\"lab-node-0\",\"sequence\":" + sequence + ",\"flows\":["
            + flows + "]}")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
  }

  @AfterEach
  void stop() {
    controller.close();
    // one mock API server serves the whole class: start each test from an empty cluster
    for (Class<? extends io.fabric8.kubernetes.client.CustomResource<?, ?>> kind : List.of(
        dev.palisade.model.crd.ReviewAudit.class, SegmentationMode.class, WorkloadIdentity.class,
        dev.palisade.model.crd.LearnedFlows.class, dev.palisade.model.crd.AllowList.class,
        dev.palisade.model.crd.GraphSnapshot.class)) {
      client.resources(kind).inAnyNamespace().list().getItems().forEach(o -> client.resource(o).delete());
    }
    client.pods().inNamespace("shop").delete();
  }

  private String url() {
    return "http://127.0.0.1:" + controller.port();
  }

  private long id(String name) throws InterruptedException {
    for (int i = 0; i < 500; i++) {
      WorkloadIdentity wi = client.resources(WorkloadIdentity.class).inNamespace("shop").withName(name).get();
      if (wi != null) {
        return wi.getSpec().id;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no identity for " + name);
  }

  private Run palisade(Path token, String... args) {
    return palisadeAt(url(), token, args);
  }

  private Run palisadeAt(String controller, Path token, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    List<String> all = new ArrayList<>(List.of(args));
    if (token != null) {
      all.addAll(List.of("--url", controller, "--insecure-http", "--token-file", token.toString()));
    }
    int code = cl.execute(all.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void reviewsTheGraphFromTheCommandLine() {
    Run show = palisade(viewer, "graph", "show", "--namespace", "shop");
    assertEquals(0, show.code(), show.err());
    assertTrue(show.out().matches("(?s).*shop/Pod/web\\s+shop/Pod/db\\s+5432/TCP\\s+learned.*"), show.out());

    assertEquals(0, palisade(approver, "graph", "snapshot", "before").code());
    Run approve = palisade(approver, "approve", "shop/Pod/web", "shop/Pod/db", "5432/TCP");
    assertEquals(0, approve.code(), approve.err());
    assertTrue(approve.out().contains("approved: 1 edge(s) changed"), approve.out());
    assertTrue(palisade(viewer, "graph", "show", "--status", "approved").out().contains("shop/Pod/web"));
    Run diff = palisade(viewer, "graph", "diff", "--since", "before");
    assertTrue(diff.out().contains("~ shop/Pod/web -> shop/Pod/db 5432/TCP learned -> approved"), diff.out());

    Run mode = palisade(approver, "mode", "set", "shop", "enforce");
    assertEquals(0, mode.code(), mode.err());
    assertEquals("enforce", client.resources(SegmentationMode.class).inNamespace("shop").withName("namespace").get()
        .getSpec().mode);
    Run policy = palisade(viewer, "policy", "export", "--namespace", "shop");
    assertTrue(policy.out().contains("kind: \"NetworkPolicy\"") && policy.out().contains("port: 5432"), policy.out());
    Run asCode = palisade(viewer, "policy", "export", "--namespace", "shop", "--format", "palisade");
    assertTrue(asCode.out().contains("kind: ApprovedGraph") && asCode.out().contains("to: \"shop/Pod/db\"\n    port: 5432")
        && asCode.out().contains("source: \"review page\""), asCode.out());
    assertTrue(palisade(viewer, "graph", "export", "--format", "dot").out().contains("digraph"));

    Run audit = palisade(viewer, "audit");
    assertTrue(audit.out().matches("(?s).*alice\\(approver\\)\\s+approve\\s+shop/Pod/web -> shop/Pod/db 5432/TCP: "
        + "learned -> approved.*") && audit.out().matches("(?s).*mode\\s+shop: \\(inherited\\) -> enforce.*"), audit.out());
  }

  @Test
  void aDecisionOverSeveralEdgesIsOneAuditLineListingEach() throws Exception {
    report(2, 6379, 8080);
    assertEquals(0, palisade(approver, "reject", "shop/Pod/web", "shop/Pod/db", "8080/TCP").code());
    Run approve = palisade(approver, "approve", "shop/Pod/web", "shop/Pod/db", "5432/TCP",
        "shop/Pod/web", "shop/Pod/db", "6379/TCP", "shop/Pod/web", "shop/Pod/db", "8080/TCP");
    assertEquals(0, approve.code(), approve.err());

    String audit = palisade(viewer, "audit").out();
    List<String> decisions = audit.lines().filter(l -> l.startsWith("#")).toList();
    assertEquals(2, decisions.size(), "the reject and the approve: " + audit);
    assertTrue(decisions.get(1).matches(".*approve\\s+3 edges: \\(mixed\\) -> approved"), decisions.get(1));
    for (String edge : List.of("5432/TCP: learned", "6379/TCP: learned", "8080/TCP: rejected")) {
      assertTrue(audit.contains("shop/Pod/web -> shop/Pod/db " + edge + " -> approved"), edge + " in\n" + audit);
    }
  }

  @Test
  void refusalsAndMistakesSayWhatIsWrong() {
    Run viewerApproves = palisade(viewer, "approve", "shop/Pod/web", "shop/Pod/db", "5432/TCP");
    assertEquals(ExitCodes.NO_ACCESS, viewerApproves.code(), "403: the token may not do this");
    assertTrue(viewerApproves.err().contains("403") && viewerApproves.err().contains("needs approver"), viewerApproves.err());
    Run badPort = palisade(approver, "approve", "shop/Pod/web", "shop/Pod/db", "5432");
    assertEquals(ExitCodes.USAGE, badPort.code());
    assertTrue(badPort.err().contains("'5432' is not PORT/PROTO"), badPort.err());
    Run badMode = palisade(approver, "mode", "set", "shop", "block");
    assertEquals(ExitCodes.FAILED, badMode.code(), "the controller refuses it (400)");
    assertTrue(badMode.err().contains("must be learn, monitor or enforce"), badMode.err());
    assertTrue(palisade(null, "audit", "--url", url()).err().contains("no token"));
    assertTrue(palisade(viewer, "audit").out().isBlank(), "nothing was changed by the refusals");
  }

  /** The audit log's entries of one action ("approve", "mode", "snapshot"), as the API lists them. */
  private List<JsonNode> audited(String action) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url() + "/v1/audit"))
        .header("Authorization", "Bearer " + Files.readString(viewer)).build(), HttpResponse.BodyHandlers.ofString());
    List<JsonNode> out = new ArrayList<>();
    JSON.readTree(r.body()).forEach(e -> {
      if (action.equals(e.path("action").asString())) {
        out.add(e);
      }
    });
    return out;
  }

  @Test
  void aDecisionWhoseAnswerIsLostIsSentAgainWithItsIdAndAppliedOnce() throws Exception {
    try (AnswerLosingProxy proxy = AnswerLosingProxy.to(url())) {
      proxy.lose("/v1/review", AnswerLosingProxy.UNANSWERED).lose("/v1/mode", 504).lose("/v1/snapshots", 503);
      Run approve = palisadeAt(proxy.url(), approver, "approve", "shop/Pod/web", "shop/Pod/db", "5432/TCP");
      Run mode = palisadeAt(proxy.url(), approver, "mode", "set", "shop", "enforce");
      Run snapshot = palisadeAt(proxy.url(), approver, "graph", "snapshot", "after-review");
      for (Run r : List.of(approve, mode, snapshot)) {
        assertEquals(0, r.code(), "sent again after the lost answer: " + r.err());
        assertTrue(r.out().contains("was decided before: this is its answer from the audit log"), r.out());
      }
      for (String path : List.of("/v1/review", "/v1/mode", "/v1/snapshots")) {
        List<String> sent = proxy.posted(path);
        assertEquals(2, sent.size(), path + ": the first attempt and one more: " + sent);
        assertEquals(sent.get(0), sent.get(1), path + ": the same decision with the same id");
        assertTrue(JSON.readTree(sent.get(0)).path("id").asString().matches("cli-[0-9a-f-]{36}"), sent.get(0));
      }
      assertEquals(1, audited("approve").size(), "applied and audited once");
      assertEquals(1, audited("mode").size());
      assertEquals(1, audited("snapshot").size());
    }
  }

  @Test
  void aDecisionLostEveryTimeNamesItsIdAndSentByHandWithItIsAppliedOnce() throws Exception {
    try (AnswerLosingProxy proxy = AnswerLosingProxy.to(url())) {
      for (int i = 0; i < 5; i++) {
        proxy.lose("/v1/mode", 503);
      }
      Run lost = palisadeAt(proxy.url(), approver, "mode", "set", "shop", "enforce");
      assertEquals(ExitCodes.FAILED, lost.code(), lost.out());
      String id = JSON.readTree(proxy.posted("/v1/mode").get(0)).path("id").asString();
      assertTrue(lost.err().contains("no answer after 5 attempts") && lost.err().contains("--id " + id), lost.err());
      assertEquals(5, proxy.posted("/v1/mode").size());

      Run byHand = palisadeAt(proxy.url(), approver, "mode", "set", "shop", "enforce", "--id", id);
      assertEquals(0, byHand.code(), byHand.err());
      assertTrue(byHand.out().contains(id + " was decided before"), byHand.out());
      assertEquals(1, audited("mode").size(), "five attempts and one by hand: one decision");
    }
  }

  @Test
  void aRefusalIsNeverSentAgainAndABadIdIsAUsageError() throws Exception {
    try (AnswerLosingProxy proxy = AnswerLosingProxy.to(url())) {
      Run viewerApproves = palisadeAt(proxy.url(), viewer, "approve", "shop/Pod/web", "shop/Pod/db", "5432/TCP");
      assertEquals(ExitCodes.NO_ACCESS, viewerApproves.code(), viewerApproves.err());
      Run badMode = palisadeAt(proxy.url(), approver, "mode", "set", "shop", "block");
      assertEquals(ExitCodes.FAILED, badMode.code(), badMode.err());
      assertEquals(1, proxy.posted("/v1/review").size(), "403 is an answer: sent once");
      assertEquals(1, proxy.posted("/v1/mode").size(), "400 is an answer: sent once");

      Run badId = palisadeAt(proxy.url(), approver, "mode", "set", "shop", "enforce", "--id", "two words");
      assertEquals(ExitCodes.USAGE, badId.code());
      assertTrue(badId.err().contains("--id: 'two words' must be 1..64 characters"), badId.err());
      assertEquals(1, proxy.posted("/v1/mode").size(), "nothing sent");
    }
  }
}
