package dev.palisade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.MockApiServer;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.StaticTokens;
import dev.palisade.controller.service.PalisadeController;
import dev.palisade.model.Mode;
import dev.palisade.model.crd.AllowList;
import dev.palisade.model.crd.WorkloadIdentity;
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
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code palisade why} with a viewer token against a controller on the fabric8 mock API server:
 * learn, then enforce without approval (deny, not approved, how to request it), then approved;
 * bad input gets the usual exit codes.
 */
@MockApiServer
class WhyCommandTest {
  static KubernetesClient client;
  @TempDir Path dir;

  private final StaticTokens tokens = new StaticTokens();
  private PalisadeController controller;
  private Path approver;
  private Path viewer;

  record Run(int code, String out, String err) {}

  @BeforeEach
  void start() throws Exception {
    if (client.namespaces().withName("shop").get() == null) {
      client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
          .withName("shop").endMetadata().build()).create();
    }
    String[][] pods = {{"web", "10.1.0.10"}, {"db", "10.1.0.20"}};
    for (String[] p : pods) {
      client.pods().inNamespace("shop").resource(new PodBuilder().withNewMetadata().withNamespace("shop")
          .withName(p[0]).addToLabels("app", p[0]).endMetadata().withNewSpec().withNodeName("node-a").endSpec()
          .withNewStatus().withPhase("Running").withPodIP(p[1]).endStatus().build()).createOr(x -> x.update());
    }
    controller = new PalisadeController(client, tokens, Mode.LEARN);
    controller.start("127.0.0.1", 0, Duration.ofSeconds(20));
    approver = Files.writeString(dir.resolve("approver"), tokens.issue(new Principal("alice", Role.APPROVER)));
    viewer = Files.writeString(dir.resolve("viewer"), tokens.issue(new Principal("bob", Role.VIEWER)));
    long web = id("pod-web");
    long db = id("pod-db");
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url() + "/v1/flows"))
        .header("Authorization", "Bearer " + tokens.issue(new Principal("node-a", Role.AGENT)))
        .POST(HttpRequest.BodyPublishers.ofString("{\"node\":\"node-a\",\"sequence\":1,\"flows\":[{\"src\":" + web
            + ",\"dst\":" + db + ",\"protocol\":\"TCP\",\"port\":5432,\"count\":2,\"first\":" + (System.currentTimeMillis() - 1000) + ",\"last\":"
            + System.currentTimeMillis() + ","
            + "\"srcPods\":[\"shop/web\"],\"dstPods\":[\"shop/db\"]}]}")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.body().contains("\"accepted\":1"), "the edge is learned: " + r.body());
  }

  @AfterEach
  void stop() {
    controller.close();
    for (Class<? extends io.fabric8.kubernetes.client.CustomResource<?, ?>> kind : List.of(
        dev.palisade.model.crd.ReviewAudit.class, dev.palisade.model.crd.SegmentationMode.class,
        WorkloadIdentity.class, dev.palisade.model.crd.LearnedFlows.class, AllowList.class)) {
      client.resources(kind).inAnyNamespace().list().getItems().forEach(o -> client.resource(o).delete());
    }
    client.pods().inNamespace("shop").delete();
  }

  @Test
  void explainsLearnThenNotApprovedThenApproved() throws Exception {
    JsonNode learn = json(palisade(viewer, "why", "shop/web", "shop/Pod/db", "5432/TCP", "-o", "json"));
    assertEquals("allow", learn.path("verdict").asString(), learn.toString());
    assertEquals("mode learn", learn.path("decidedBy").asString(), learn.toString());

    assertEquals(0, palisade(approver, "mode", "set", "shop", "enforce").code());
    eventually(() -> enforced("pod-db"), "db's AllowList in enforce");
    Run deny = palisade(viewer, "why", "shop/Pod/web", "10.1.0.20", "5432/TCP");
    assertEquals(0, deny.code(), deny.err());
    assertTrue(deny.out().startsWith("DENY  shop/Pod/web -> shop/Pod/db 5432/TCP"), deny.out());
    assertTrue(deny.out().contains("decided by: not approved"), deny.out());
    assertTrue(deny.out().contains("palisade request shop/Pod/web shop/Pod/db 5432/TCP --reason"), deny.out());

    assertEquals(0, palisade(approver, "approve", "shop/Pod/web", "shop/Pod/db", "5432/TCP").code());
    eventually(() -> hasIngress("pod-db"), "db's AllowList holds the approved edge");
    JsonNode approved = json(palisade(viewer, "why", "shop/Pod/web", "shop/Pod/db", "5432", "-o", "json"));
    assertEquals("allow", approved.path("verdict").asString(), approved.toString());
    assertEquals("approved", approved.path("decidedBy").asString(), approved.toString());
    JsonNode other = json(palisade(viewer, "why", "shop/Pod/web", "shop/Pod/db", "5433/TCP", "-o", "json"));
    assertEquals("deny", other.path("verdict").asString(), other.toString());
    assertEquals("shop/Pod/web -> shop/Pod/db 5432/TCP", other.path("nearestApproved").get(0).asString());
  }

  @Test
  void badInputGetsTheUsualExitCodes() {
    Run port = palisade(viewer, "why", "shop/web", "shop/db", "70000/TCP");
    assertEquals(ExitCodes.USAGE, port.code(), port.err());
    assertTrue(port.err().contains("70000"), port.err());
    Run format = palisade(viewer, "why", "shop/web", "shop/db", "80/TCP", "-o", "yaml");
    assertEquals(ExitCodes.USAGE, format.code(), format.err());
    Run unknown = palisade(viewer, "why", "shop/nope", "shop/db", "80/TCP");
    assertEquals(ExitCodes.FAILED, unknown.code(), unknown.err());
    assertTrue(unknown.err().contains("no pod shop/nope"), unknown.err());
    Run proto = palisade(viewer, "why", "shop/web", "shop/db", "80/ICMP");
    assertEquals(ExitCodes.FAILED, proto.code(), proto.err());
    assertTrue(proto.err().contains("ICMP"), proto.err());
  }

  private boolean enforced(String name) {
    AllowList al = client.resources(AllowList.class).inNamespace("shop").withName(name).get();
    return al != null && "enforce".equals(al.getSpec().mode);
  }

  private boolean hasIngress(String name) {
    AllowList al = client.resources(AllowList.class).inNamespace("shop").withName(name).get();
    return al != null && al.getSpec().ingress != null && !al.getSpec().ingress.isEmpty();
  }

  private static JsonNode json(Run r) {
    assertEquals(0, r.code(), r.err());
    return JsonMapper.builder().build().readTree(r.out());
  }

  private String url() {
    return "http://127.0.0.1:" + controller.port();
  }

  private long id(String name) throws InterruptedException {
    eventually(() -> client.resources(WorkloadIdentity.class).inNamespace("shop").withName(name).get() != null,
        "the identity " + name);
    return client.resources(WorkloadIdentity.class).inNamespace("shop").withName(name).get().getSpec().id;
  }

  private static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out: " + what);
      }
      Thread.sleep(20);
    }
  }

  private Run palisade(Path token, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--url", url(), "--insecure-http", "--token-file", token.toString()));
    return new Run(cl.execute(all.toArray(String[]::new)), out.toString(), err.toString());
  }
}
