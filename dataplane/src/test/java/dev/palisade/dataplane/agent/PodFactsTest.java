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
    OwnerVersions versions = new OwnerVersions();
    PodFacts.Facts f = facts.read(pod("web-abc", "n1", "10.0.0.1", "Running"), null, versions, resolver);
    assertEquals("shop/web-1", f.key);
    assertEquals("10.0.0.1", f.statusIp);
    assertTrue(f.local);
    assertFalse(f.terminal);
    assertEquals("shop/ReplicaSet/web-abc", f.workloadKey());
    PodFacts.Facts g = facts.read(pod("web-abc", "n2", " ", "Succeeded"), null, versions, resolver);
    assertNull(g.statusIp, "a blank address is no address");
    assertFalse(g.local);
    assertTrue(g.terminal);
  }

  @Test
  void keptFactsAreResolvedAgainOnlyWhenTheirOwnOwnerChanged() {
    PodFacts facts = new PodFacts("n1");
    OwnerVersions versions = new OwnerVersions();
    Pod p = pod("web-abc", "n1", "10.0.0.1", "Running");
    PodFacts.Facts first = facts.read(p, null, versions, resolver);
    assertSame(first, facts.read(p, first, versions, resolver));
    assertEquals(1, lookups.get(), "the unchanged pod was resolved again");

    // another ReplicaSet changes: this pod's reading stands
    versions.bump(OwnerVersions.key("shop", "ReplicaSet", "db-xyz"));
    assertEquals("shop/ReplicaSet/web-abc", facts.read(p, first, versions, resolver).workloadKey());
    assertEquals(1, lookups.get(), "another owner's change resolved this pod again");

    // its own ReplicaSet appears with its Deployment as owner: same pod object, new workload
    owners.put("shop/ReplicaSet/web-abc", new ReplicaSetBuilder().withNewMetadata().withNamespace("shop")
        .withName("web-abc").addNewOwnerReference().withKind("Deployment").withName("web").withController(true)
        .endOwnerReference().endMetadata().build());
    versions.bump(OwnerVersions.key("shop", "ReplicaSet", "web-abc"));
    assertEquals("shop/Deployment/web", facts.read(p, first, versions, resolver).workloadKey());
  }

  @Test
  void aPodWithoutALookedUpOwnerHasNoOwnerKey() {
    assertEquals("shop/ReplicaSet/web-abc", OwnerVersions.ownerKeyOf(pod("web-abc", "n1", "10.0.0.1", "Running")));
    Pod bare = new PodBuilder().withNewMetadata().withNamespace("shop").withName("b").endMetadata().build();
    assertNull(OwnerVersions.ownerKeyOf(bare));
    Pod stateful = new PodBuilder().withNewMetadata().withNamespace("shop").withName("db-0").addNewOwnerReference()
        .withKind("StatefulSet").withName("db").withController(true).endOwnerReference().endMetadata().build();
    assertNull(OwnerVersions.ownerKeyOf(stateful), "a StatefulSet is not looked up: its pods depend on themselves");
  }
}
