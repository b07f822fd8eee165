package dev.palisade.dataplane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dataplane.agent.ObjectProblems.Problem;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Warning Event one skipped object gets: on the object, named after the problem so that every
 * node and every restart of an agent writes the same one (BadObjectEventsTest drives it through
 * the agent's calculation).
 */
class WarningEventsTest {
  /** What the API server requires of an Event's name (a DNS subdomain). */
  private static final String DNS_SUBDOMAIN = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";

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

  @Test
  void theSecondNodeToTellAProblemFindsItToldAlready() {
    Problem p = new Problem("AllowList", "shop", "web", "u-1", 3L, "ingress[0].ports: 'x' is not a port or range");
    new WarningEvents(client, "node-1").warn(p);
    new WarningEvents(client, "node-2").warn(p); // 409 AlreadyExists: no exception, no second Event
    List<Event> events = client.v1().events().inNamespace("shop").list().getItems();
    assertEquals(1, events.size());
    assertEquals("node-1", events.get(0).getSource().getHost());
    assertEquals("u-1", events.get(0).getInvolvedObject().getUid(), "kubectl describe matches Events by uid");
  }

  @Test
  void theNameFollowsTheProblemAndTheObjectNeverTheNode() {
    Problem p = new Problem("SegmentationMode", "dev", "dev", "u-1", 1L, "mode: 'enforcing' is not a mode");
    String name = WarningEventName.of(p, WarningEvents.REASON);
    assertTrue(name.matches("dev\\.[0-9a-f]{16}"), name);
    assertEquals(name, WarningEventName.of(new Problem("SegmentationMode", "dev", "dev", "u-1", 1L,
        "mode: 'enforcing' is not a mode"), WarningEvents.REASON));
    for (Problem other : List.of(new Problem("SegmentationMode", "dev", "dev", "u-2", 1L, p.message()),
        new Problem("SegmentationMode", "dev", "dev", "u-1", 2L, p.message()),
        new Problem("SegmentationMode", "dev", "dev", "u-1", 1L, "no spec"),
        new Problem("SegmentationMode", "prod", "dev", "u-1", 1L, p.message()),
        new Problem("AllowList", "dev", "dev", "u-1", 1L, p.message()))) {
      assertNotEquals(name, WarningEventName.of(other, WarningEvents.REASON), other.toString());
    }
  }

  @Test
  void aLongestObjectNameStillMakesAValidEventName() {
    // 253 characters, the most a Pod's or a custom resource's name may have; cut where the '-' is
    String longest = "a".repeat(235) + "-" + "b".repeat(17);
    Problem p = new Problem("Pod", "shop", longest, "u-1", null, "bad IPv4 address '10.1.0.999'");
    String name = WarningEventName.of(p, WarningEvents.REASON);
    assertTrue(name.length() <= WarningEventName.MAX_LENGTH, name.length() + " characters");
    assertTrue(name.matches(DNS_SUBDOMAIN), name);
    assertTrue(name.matches("a{235}\\.[0-9a-f]{16}"), "cut before the '-': " + name);
    new WarningEvents(client, "node-1").warn(p);
    assertEquals(name, client.v1().events().inNamespace("shop").list().getItems().get(0).getMetadata().getName());
  }
}
