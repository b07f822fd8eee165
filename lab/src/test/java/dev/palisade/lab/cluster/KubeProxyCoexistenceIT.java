package dev.palisade.lab.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.lab.net.LabNetwork;
import dev.palisade.lab.net.Prober;
import dev.palisade.model.crd.SegmentationMode;
import dev.palisade.model.crd.SegmentationModeSpec;
import dev.palisade.testkit.KernelTest;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Palisade beside kube-proxy: a service VIP DNAT'd in prerouting with kube-proxy's masquerade mark
 * 0x4000 set, and masqueraded in postrouting when the mark is there. With the namespace enforced,
 * the approved flow through the VIP still connects (Palisade judges the real destination pod, after
 * DNAT) and the masquerade rule still matches (Palisade never touches the mark).
 */
@KernelTest
class KubeProxyCoexistenceIT {
  @Test
  void serviceNatAndTheMasqueradeMarkSurviveEnforcement() throws Exception {
    try (Lab lab = Lab.start("kp" + ProcessHandle.current().pid() % 100000, 1)) {
      lab.apply("""
          apiVersion: v1
          kind: Namespace
          metadata: {name: shop}
          ---
          apiVersion: apps/v1
          kind: Deployment
          metadata: {name: web, namespace: shop}
          spec:
            replicas: 1
            selector: {matchLabels: {app: web}}
            template:
              metadata: {labels: {app: web}}
              spec: {containers: [{name: web, image: web, ports: [{containerPort: 8080}]}]}
          ---
          apiVersion: apps/v1
          kind: Deployment
          metadata: {name: api, namespace: shop}
          spec:
            replicas: 1
            selector: {matchLabels: {app: api}}
            template:
              metadata: {labels: {app: api}}
              spec: {containers: [{name: api, image: api, ports: [{containerPort: 9090}]}]}
          """);
      lab.awaitReady(Duration.ofSeconds(60));
      LabNetwork.Pod web = lab.network().pods().stream().filter(p -> p.key().startsWith("shop/web-")).findFirst().orElseThrow();
      LabNetwork.Pod api = lab.network().pods().stream().filter(p -> p.key().startsWith("shop/api-")).findFirst().orElseThrow();
      var node = lab.network().node(0).ns();
      Path rules = Files.createTempFile("pal-kubeproxy", ".nft");
      try {
        Files.writeString(rules, """
            table ip kubeproxy {
              chain prerouting {
                type nat hook prerouting priority dstnat; policy accept;
                ip daddr 10.96.0.10 tcp dport 80 meta mark set meta mark | 0x4000 dnat to %s:9090
              }
              chain postrouting {
                type nat hook postrouting priority srcnat; policy accept;
                meta mark & 0x4000 == 0x4000 counter masquerade
              }
            }
            """.formatted(api.ip()));
        node.exec("nft", "-f", rules.toString());
      } finally {
        Files.deleteIfExists(rules);
      }
      // learn web -> api through the VIP, approve, enforce
      assertTrue(Prober.connect(web.ns(), "10.96.0.10", 80, "TCP", Prober.DEFAULT_TIMEOUT, false), "VIP works in learn mode");
      LabPalisade pal = lab.palisade().orElseThrow();
      pal.flushFlows(Duration.ofSeconds(10));
      var http = pal.httpClient();
      var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(pal.url() + "/v1/review"))
          .header("Authorization", "Bearer " + pal.approverToken())
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"status\":\"approved\",\"all\":true}")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertTrue(r.body().contains("\"changed\":1"), "the learned edge is web -> api:9090 (after DNAT): " + r.body());
      SegmentationMode m = new SegmentationMode();
      m.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("namespace").build());
      m.setSpec(new SegmentationModeSpec());
      m.getSpec().mode = "enforce";
      lab.client().resources(SegmentationMode.class).inNamespace("shop").resource(m).createOr(NonDeletingOperation::update);
      lab.awaitReady(Duration.ofSeconds(60));
      long before = masqueraded(node.exec("nft", "list", "table", "ip", "kubeproxy"));
      assertTrue(Prober.probe(web, "10.96.0.10", 80, "TCP", Prober.DEFAULT_TIMEOUT), "approved flow through the VIP");
      long after = masqueraded(node.exec("nft", "list", "table", "ip", "kubeproxy"));
      assertTrue(after > before, "kube-proxy's mark survived Palisade's chain: masquerade matched " + before + " -> " + after);
      assertFalse(Prober.probe(api, web.ip(), 8080, "TCP", Prober.DEFAULT_TIMEOUT), "and enforcement is on");
    }
  }

  private static long masqueraded(String listing) {
    Matcher m = Pattern.compile("counter packets (\\d+)").matcher(listing);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }
}
