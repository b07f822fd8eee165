package dev.palisade.controller.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.informers.impl.cache.CacheImpl;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pod store's index by controlling owner, which {@link ClusterCache#podsControlledBy} reads: driven
 * through the store class fabric8's informers keep their items in, with the indexers ClusterCache adds.
 */
class ClusterCacheTest {
  private final ReplicaSet web = rs("web-5d8f", "r-web");
  private final ReplicaSet api = rs("api-77aa", "r-api");
  private final Job backup = new JobBuilder().withMetadata(new ObjectMetaBuilder().withNamespace("shop")
      .withName("backup-1").withUid("j-backup").build()).build();
  private CacheImpl<Pod> store;

  @BeforeEach
  void store() {
    store = new CacheImpl<>(CacheImpl.NAMESPACE_INDEX, CacheImpl::metaNamespaceIndexFunc, CacheImpl::metaNamespaceKeyFunc);
    store.addIndexers(ClusterCache.POD_INDEXERS);
  }

  @Test
  void aPodIsFoundUnderItsControllerFromItsAdditionOn() {
    store.put(pod("web-5d8f-aaaaa", controller("ReplicaSet", web)));
    store.put(pod("web-5d8f-bbbbb", controller("ReplicaSet", web)));
    store.put(pod("backup-1-ccccc", controller("Job", backup)));
    assertEquals(List.of("web-5d8f-aaaaa", "web-5d8f-bbbbb"), names(web));
    assertEquals(List.of("backup-1-ccccc"), names(backup));
    assertEquals(List.of(), names(api));
  }

  @Test
  void aPodThatChangesControllerIsFoundUnderTheNewOneOnly() {
    store.put(pod("web-5d8f-aaaaa", controller("ReplicaSet", web)));
    store.put(pod("web-5d8f-aaaaa", controller("ReplicaSet", api))); // adopted elsewhere
    assertEquals(List.of(), names(web));
    assertEquals(List.of("web-5d8f-aaaaa"), names(api));
    store.put(pod("web-5d8f-aaaaa")); // orphaned
    assertEquals(List.of(), names(api));
  }

  @Test
  void aDeletedPodIsNoLongerFound() {
    store.put(pod("web-5d8f-aaaaa", controller("ReplicaSet", web)));
    store.put(pod("web-5d8f-bbbbb", controller("ReplicaSet", web)));
    store.remove(pod("web-5d8f-aaaaa", controller("ReplicaSet", web)));
    assertEquals(List.of("web-5d8f-bbbbb"), names(web));
  }

  @Test
  void onlyTheControllingReferenceCountsUnderItsNamespaceKindAndName() {
    OwnerReference notController = new OwnerReferenceBuilder(controller("ReplicaSet", api)).withController(false).build();
    store.put(pod("web-5d8f-aaaaa", notController, controller("ReplicaSet", web)));
    assertEquals(List.of(), names(api));
    assertEquals(List.of("web-5d8f-aaaaa"), names(web));
    ReplicaSet elsewhere = new ReplicaSetBuilder(web).editMetadata().withNamespace("other").endMetadata().build();
    assertEquals(List.of(), names(elsewhere));
    Job sameName = new JobBuilder().withMetadata(new ObjectMetaBuilder(web.getMetadata()).build()).build();
    assertEquals(List.of(), names(sameName));
  }

  private List<String> names(HasMetadata owner) {
    return ClusterCache.podsControlledBy(store, owner).stream().map(p -> p.getMetadata().getName()).sorted().toList();
  }

  private static ReplicaSet rs(String name, String uid) {
    return new ReplicaSetBuilder().withMetadata(new ObjectMetaBuilder().withNamespace("shop").withName(name)
        .withUid(uid).build()).build();
  }

  private static OwnerReference controller(String kind, HasMetadata owner) {
    return new OwnerReferenceBuilder().withApiVersion(kind.equals("Job") ? "batch/v1" : "apps/v1").withKind(kind).withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid()).withController(true).build();
  }

  private static Pod pod(String name, OwnerReference... owners) {
    return new PodBuilder().withMetadata(new ObjectMetaBuilder().withNamespace("shop").withName(name)
        .withOwnerReferences(owners).build()).build();
  }
}
