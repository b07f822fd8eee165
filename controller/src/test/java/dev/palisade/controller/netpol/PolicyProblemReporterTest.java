package dev.palisade.controller.netpol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.MockApiServer;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

@MockApiServer
class PolicyProblemReporterTest {
  static KubernetesClient client;

  private NetworkPolicy create(String yaml) {
    NetworkPolicy np = client.network().v1().networkPolicies()
        .load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).item();
    return client.network().v1().networkPolicies().inNamespace("x").resource(np).create();
  }

  private List<Event> warningsFor(String name) {
    return client.v1().events().inNamespace("x").list().getItems().stream()
        .filter(e -> e.getInvolvedObject() != null && name.equals(e.getInvolvedObject().getName()))
        .filter(e -> PolicyProblemReporter.REASON.equals(e.getReason())).toList();
  }

  @Test
  void anInvalidPolicyGetsOneWarningEventNamingEachProblemAndAValidOneNone() throws Exception {
    try (PolicyProblemReporter r = new PolicyProblemReporter(client).start()) {
      create("""
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: bad, namespace: x}
          spec:
            podSelector: {}
            ingress:
            - from:
              - ipBlock: {cidr: 10.0.0.0/33}
              ports:
              - {port: 70000}
            """);
      create("""
          apiVersion: networking.k8s.io/v1
          kind: NetworkPolicy
          metadata: {name: good, namespace: x}
          spec:
            podSelector: {}
            ingress:
            - ports: [{port: 80}]
            """);
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (warningsFor("bad").isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      List<Event> events = warningsFor("bad");
      assertEquals(1, events.size(), "one Event per version of the policy");
      String message = events.get(0).getMessage();
      assertEquals("Warning", events.get(0).getType());
      assertTrue(message.contains("10.0.0.0/33") && message.contains("70000"), message);
      assertTrue(message.contains("ignored"), message);
      assertEquals(List.of(), warningsFor("good"));
      // a resync (the same version seen again) does not repeat it
      r.check(client.network().v1().networkPolicies().inNamespace("x").withName("bad").get());
      assertEquals(1, warningsFor("bad").size());
    }
  }
}
