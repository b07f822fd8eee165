package dev.palisade.lab.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.StaticTokens;
import dev.palisade.controller.events.PolicyReportWriter;
import dev.palisade.controller.publish.Backoff;
import dev.palisade.controller.service.PalisadeController;
import dev.palisade.lab.kube.auth.TokenBinding;
import dev.palisade.model.Mode;
import dev.palisade.model.crd.ClusterDefaults;
import dev.palisade.model.crd.WorkloadIdentity;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 20's PolicyReport, on the lab API server with deploy/base's RBAC and the controller in
 * process as its ServiceAccount: drops an agent reports show up within seconds in shop's
 * PolicyReport {@code palisade} (result fail, the edge as rule, the workload as resource), which
 * the API server admits against deploy/crds/third-party's schema; a developer bound to
 * palisade-developer in shop reads it and is refused payments' report; a cross-namespace edge is
 * in both reports with the other end masked.
 */
class PolicyReportTest {
  private static final Path DEPLOY = Path.of("../deploy/base");
  private static final String SYSTEM = ClusterDefaults.NAMESPACE;

  private final StaticTokens tokens = new StaticTokens();
  private final String agent = tokens.issue(new Principal("lab-node-0", Role.AGENT));
  private LabApiServer api;
  private KubernetesClient admin;
  private KubernetesClient asController;
  private KubernetesClient dev;
  private PalisadeController controller;

  @BeforeEach
  void up() throws Exception {
    api = LabApiServer.start();
    admin = api.client();
    for (String ns : List.of(SYSTEM, "shop", "payments")) {
      admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    }
    for (String file : List.of("rbac-controller.yaml", "rbac-developer.yaml")) {
      try (InputStream in = Files.newInputStream(DEPLOY.resolve(file))) {
        for (HasMetadata o : admin.load(in).items()) {
          admin.resource(o).create();
        }
      }
    }
    admin.serviceAccounts().inNamespace("shop").resource(new ServiceAccountBuilder().withNewMetadata().withName("dev")
        .withNamespace("shop").endMetadata().build()).create();
    admin.rbac().roleBindings().inNamespace("shop").resource(new RoleBindingBuilder().withNewMetadata()
        .withName("palisade-developer").withNamespace("shop").endMetadata()
        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "palisade-developer")
        .addNewSubject().withKind("ServiceAccount").withName("dev").withNamespace("shop").endSubject().build()).create();
    dev = new KubernetesClientBuilder().withConfig(api.clientConfig(api.issueServiceAccountToken("shop", "dev",
        List.of(), TokenBinding.none(), Duration.ofHours(1)).token())).build();
    asController = new KubernetesClientBuilder().withConfig(api.clientConfig(api.issueServiceAccountToken(SYSTEM,
        "palisade-controller", List.of(), TokenBinding.none(), Duration.ofHours(1)).token())).build();
    pod("shop", "web", "10.244.0.11");
    pod("shop", "api", "10.244.0.12");
    pod("payments", "pay", "10.244.0.21");
    controller = new PalisadeController(asController, tokens, Mode.ENFORCE, SYSTEM,
        new Backoff(Duration.ofMillis(50), Duration.ofMillis(200)));
    controller.start("127.0.0.1", 0, Duration.ofSeconds(20));
    eventually(() -> admin.resources(WorkloadIdentity.class).inNamespace("payments").withName("pod-pay").get() != null,
        "identities");
  }

  @AfterEach
  void down() {
    if (controller != null) {
      controller.close();
    }
    for (KubernetesClient c : new KubernetesClient[] {asController, dev}) {
      if (c != null) {
        c.close();
      }
    }
    api.close();
  }

  private void pod(String ns, String name, String ip) {
    admin.pods().inNamespace(ns).resource(new PodBuilder().withNewMetadata().withNamespace(ns).withName(name)
        .withLabels(Map.of("app", name)).endMetadata().withNewSpec().withNodeName("lab-node-0").endSpec()
        .withNewStatus().withPhase("Running").withPodIP(ip).endStatus().build()).create();
  }

  private long idOf(String ns, String pod) {
    return admin.resources(WorkloadIdentity.class).inNamespace(ns).withName("pod-" + pod).get().getSpec().id;
  }

  private String drop(String srcNs, String src, String dstNs, String dst, int port) {
    return "{\"kind\":\"enforce\",\"direction\":\"in\",\"src\":" + idOf(srcNs, src) + ",\"dst\":" + idOf(dstNs, dst)
        + ",\"protocol\":\"TCP\",\"port\":" + port + ",\"at\":" + System.currentTimeMillis() + "}";
  }

  private static GenericKubernetesResource report(KubernetesClient c, String ns) {
    return c.genericKubernetesResources(PolicyReportWriter.CONTEXT).inNamespace(ns).withName("palisade").get();
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> results(GenericKubernetesResource r) {
    return r == null ? List.of() : (List<Map<String, Object>>) r.getAdditionalProperties().get("results");
  }

  private static Map<String, Object> result(GenericKubernetesResource r, String rule) {
    return results(r).stream().filter(x -> rule.equals(x.get("rule"))).findFirst().orElse(null);
  }

  @Test
  void dropsAreReportedInEachEndsNamespaceAndReadByItsDeveloper() throws Exception {
    String body = "{\"node\":\"lab-node-0\",\"events\":[" + drop("shop", "web", "shop", "api", 9091) + ","
        + drop("shop", "web", "payments", "pay", 8443) + "]}";
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + controller.port() + "/v1/drops")).header("Authorization", "Bearer " + agent)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    String edge = "shop/Pod/web -> shop/Pod/api 9091/TCP";
    eventually(() -> result(report(admin, "shop"), edge) != null, "shop's PolicyReport lists " + edge);
    eventually(() -> result(report(admin, "payments"), "shop/* -> payments/Pod/pay 8443/TCP") != null,
        "payments' PolicyReport lists the edge from shop");

    // what shop's developer reads: the edge, failed, on both its workloads
    GenericKubernetesResource shop = report(dev, "shop");
    Map<String, Object> onApi = results(shop).stream().filter(x -> edge.equals(x.get("rule"))
        && x.get("resources").toString().contains("name=api")).findFirst().orElseThrow();
    assertEquals("fail", onApi.get("result"));
    assertEquals("palisade-allowlist", onApi.get("policy"));
    assertEquals("palisade", onApi.get("source"));
    assertEquals(List.of(Map.of("apiVersion", "v1", "kind", "Pod", "namespace", "shop", "name", "api")),
        onApi.get("resources"));
    assertTrue(((Map<?, ?>) onApi.get("properties")).get("request").toString()
        .startsWith("palisade request shop/Pod/web shop/Pod/api 9091/TCP --reason"), onApi.toString());
    assertEquals(3, results(shop).size(), "web and api for the edge inside shop, web for the one to payments");
    assertTrue(result(shop, "shop/Pod/web -> payments/* 8443/TCP") != null, results(shop).toString());
    assertEquals(3, ((Map<?, ?>) shop.getAdditionalProperties().get("summary")).get("fail"));
    // nothing about payments' workloads in shop's report, nor about shop's in payments'
    assertFalse(results(shop).toString().contains("pay,") || results(shop).toString().contains("name=pay"));
    assertFalse(results(report(admin, "payments")).toString().contains("shop/Pod"));

    KubernetesClientException refused = assertThrows(KubernetesClientException.class, () -> report(dev, "payments"));
    assertEquals(403, refused.getCode());
    // the lab checks reports against deploy/crds/third-party's schema, as a cluster with the CRD would
    GenericKubernetesResource bad = report(admin, "shop");
    bad.getMetadata().setName("bad");
    bad.getMetadata().setResourceVersion(null);
    results(bad).get(0).put("result", "blocked");
    KubernetesClientException invalid = assertThrows(KubernetesClientException.class,
        () -> admin.genericKubernetesResources(PolicyReportWriter.CONTEXT).inNamespace("shop").resource(bad).create());
    assertEquals(422, invalid.getCode());
    assertTrue(invalid.getMessage().contains("result"), invalid.getMessage());
    // kubectl get polr: discovery serves the short name
    assertTrue(ApiResourceCatalog.KINDS.stream().anyMatch(k -> k.plural().equals("policyreports")
        && k.shortNames().contains("polr") && k.namespaced()));
  }

  private static void eventually(Supplier<Boolean> ok, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!ok.get()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 20 s: " + what);
      }
      Thread.sleep(50);
    }
  }
}
