package dev.palisade.model.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.palisade.model.WorkloadRef;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WorkloadResolverTest {
  private final Map<String, HasMetadata> cache = new HashMap<>();
  private final WorkloadResolver resolver = new WorkloadResolver(
      (ns, kind, name) -> Optional.ofNullable(cache.get(ns + "/" + kind + "/" + name)));

  private static ObjectMetaBuilder meta(String ns, String name, String ownerKind, String owner) {
    ObjectMetaBuilder m = new ObjectMetaBuilder().withNamespace(ns).withName(name);
    if (owner != null) {
      m.withOwnerReferences(new OwnerReferenceBuilder().withKind(ownerKind).withName(owner).withController(true)
          .withApiVersion("apps/v1").withUid("u-" + owner).build());
    }
    return m;
  }

  private static Pod pod(String ns, String name, String ownerKind, String owner, Map<String, String> labels) {
    return new PodBuilder().withMetadata(meta(ns, name, ownerKind, owner).withLabels(labels).build()).build();
  }

  @Test
  void deploymentPodsOfEveryRolloutAreOneWorkload() {
    cache.put("shop/ReplicaSet/web-5d8f", new ReplicaSetBuilder().withMetadata(meta("shop", "web-5d8f", "Deployment", "web").build()).build());
    cache.put("shop/ReplicaSet/web-77aa", new ReplicaSetBuilder().withMetadata(meta("shop", "web-77aa", "Deployment", "web").build()).build());
    Pod a = pod("shop", "web-5d8f-x1", "ReplicaSet", "web-5d8f", Map.of("app", "web", "pod-template-hash", "5d8f"));
    Pod b = pod("shop", "web-77aa-y2", "ReplicaSet", "web-77aa", Map.of("app", "web", "pod-template-hash", "77aa"));
    assertEquals(WorkloadRef.parse("shop/Deployment/web"), resolver.workloadOf(a));
    assertEquals(resolver.workloadOf(a), resolver.workloadOf(b));
    assertEquals(WorkloadResolver.stableLabels(a), WorkloadResolver.stableLabels(b));
    assertEquals(Map.of("app", "web"), WorkloadResolver.stableLabels(a));
  }

  @Test
  void aPodWhoseReplicaSetIsNotCachedYetStillFindsItsDeployment() {
    Pod p = pod("shop", "api-6c9-abcde", "ReplicaSet", "api-6c9", Map.of("app", "api", "pod-template-hash", "6c9"));
    assertEquals(WorkloadRef.parse("shop/Deployment/api"), resolver.workloadOf(p));
  }

  @Test
  void cronJobRunsStatefulSetsDaemonSetsAndBarePods() {
    cache.put("ops/Job/backup-2900", new JobBuilder().withMetadata(meta("ops", "backup-2900", "CronJob", "backup").build()).build());
    Pod run = pod("ops", "backup-2900-q", "Job", "backup-2900", Map.of("app", "backup", "job-name", "backup-2900",
        "controller-uid", "abc"));
    assertEquals(WorkloadRef.parse("ops/CronJob/backup"), resolver.workloadOf(run));
    assertEquals(Map.of("app", "backup"), WorkloadResolver.stableLabels(run));
    Pod db = pod("shop", "db-1", "StatefulSet", "db", Map.of("app", "db", "statefulset.kubernetes.io/pod-name", "db-1",
        "controller-revision-hash", "db-7f"));
    assertEquals(WorkloadRef.parse("shop/StatefulSet/db"), resolver.workloadOf(db));
    assertEquals(Map.of("app", "db"), WorkloadResolver.stableLabels(db));
    assertEquals(WorkloadRef.parse("shop/DaemonSet/dns"),
        resolver.workloadOf(pod("shop", "dns-zz", "DaemonSet", "dns", Map.of())));
    assertEquals(WorkloadRef.parse("x/Pod/a"), resolver.workloadOf(pod("x", "a", null, null, Map.of("pod", "a"))));
  }
}
