package dev.palisade.dataplane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WarningEventsTest {
  private CrudApi api;
  private KubernetesClient client;

  @BeforeEach
  void cluster() {
    api = new CrudApi();
    client = api.client;
  }

  @AfterEach
  void stop() {
    api.close();
  }

  @Test
  void aSkippedClusterNetworkPolicyGetsAWarningEventOnIt() {
    new WarningEvents(client, "node-1").warn(new ObjectProblems.Problem("ClusterNetworkPolicy", null, "guard",
        "spec.egress[0].to[0].networks[0]: bad CIDR 10.0.0.0/33"));
    List<Event> events = client.v1().events().inNamespace("default").list().getItems();
    assertEquals(1, events.size());
    Event e = events.get(0);
    assertEquals("policy.networking.k8s.io/v1alpha2", e.getInvolvedObject().getApiVersion());
    assertEquals("ClusterNetworkPolicy", e.getInvolvedObject().getKind());
    assertEquals("guard", e.getInvolvedObject().getName());
    assertEquals("Warning", e.getType());
    assertTrue(e.getMessage().endsWith("spec.egress[0].to[0].networks[0]: bad CIDR 10.0.0.0/33"), e.getMessage());
  }
}
