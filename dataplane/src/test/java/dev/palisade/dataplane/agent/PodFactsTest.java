package dev.palisade.dataplane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.model.workload.WorkloadResolver;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PodFactsTest {
  private final Map<String, HasMetadata> owners = new HashMap<>();
  private final AtomicInteger lookups = new AtomicInteger();
  private final WorkloadResolver resolver = new WorkloadResolver((ns, kind, name) -> {
    lookups.incrementAndGet();
    return Optional.ofNullable(owners.get(ns + "/" + kind + "/" + name));
  });

  private static Pod pod(String rs, String node, String ip, String phase) {
    return new PodBuilder().withNewMetadata().withNamespace("shop").withName("web-1").addNewOwnerReference()
        .withKind("ReplicaSet").withName(rs).withController(true).endOwnerReference().endMetadata()
        .withNewSpec().withNodeName(node).endSpec().withNewStatus().withPodIP(ip).withPhase(phase).endStatus().build();
  }

  @Test
  void readsThePodsAddressPhaseNodeAndWorkload() {
    PodFacts facts = new PodFacts("n1");
    facts.begin(0);
    PodFacts.Facts f = facts.of(pod("web-abc", "n1", "10.0.0.1", "Running"), resolver);
    assertEquals("shop/web-1", f.key);
    assertEquals("10.0.0.1", f.statusIp);
    assertTrue(f.local);
    assertFalse(f.terminal);
    assertEquals("shop/ReplicaSet/web-abc", f.workloadKey());
    PodFacts.Facts g = facts.of(pod("web-abc", "n2", " ", "Succeeded"), resolver);
    assertNull(g.statusIp, "a blank address is no address");
    assertFalse(g.local);
    assertTrue(g.terminal);
  }

  @Test
  void theSamePodObjectIsReadOnceUntilAnOwnerChanges() {
    PodFacts facts = new PodFacts("n1");
    Pod p = pod("web-abc", "n1", "10.0.0.1", "Running");
    facts.begin(0);
    PodFacts.Facts first = facts.of(p, resolver);
    facts.begin(0);
    assertSame(first, facts.of(p, resolver));
    assertEquals(1, lookups.get(), "the unchanged pod was resolved again");

    // the ReplicaSet appears with its Deployment as owner: same pod object, new workload
    owners.put("shop/ReplicaSet/web-abc", new ReplicaSetBuilder().withNewMetadata().withNamespace("shop")
        .withName("web-abc").addNewOwnerReference().withKind("Deployment").withName("web").withController(true)
        .endOwnerReference().endMetadata().build());
    facts.begin(1);
    assertEquals("shop/Deployment/web", facts.of(p, resolver).workloadKey());
  }

  @Test
  void anUpdatedPodObjectIsReadAgainAndAGoneOneIsForgotten() {
    PodFacts facts = new PodFacts("n1");
    facts.begin(0);
    facts.of(pod("web-abc", "n1", "10.0.0.1", "Running"), resolver);
    facts.begin(0);
    assertEquals("10.0.0.2", facts.of(pod("web-abc", "n1", "10.0.0.2", "Running"), resolver).statusIp);
    assertEquals(1, facts.size());
    facts.begin(0);
    assertEquals(0, facts.size());
  }
}
