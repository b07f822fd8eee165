package dev.palisade.dataplane.netpol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodViewsTest {
  private static Pod pod(String name, String ip, String app) {
    return new PodBuilder().withNewMetadata().withNamespace("shop").withName(name).addToLabels("app", app)
        .endMetadata().withNewStatus().withPhase("Running").withPodIP(ip).endStatus().build();
  }

  @Test
  void reusesTheViewOfAnUnchangedPodObjectAndRereadsAReplacedOne() {
    PodViews views = new PodViews();
    Pod a = pod("a", "10.0.0.1", "web");
    views.begin(List.of(a));
    ClusterView.LivePod first = views.cluster(List.of()).byIp("10.0.0.1");
    views.begin(List.of(a));
    assertSame(first, views.cluster(List.of()).byIp("10.0.0.1"));
    Pod relabelled = pod("a", "10.0.0.1", "api");
    views.begin(Map.of("shop/a", relabelled));
    ClusterView.LivePod second = views.cluster(List.of()).byIp("10.0.0.1");
    assertNotSame(first, second);
    assertEquals("api", second.labels().get("app"));
  }

  @Test
  void forgetsDeletedPodsAndRemembersInvisibleOnes() {
    PodViews views = new PodViews();
    views.begin(List.of(pod("a", "10.0.0.1", "web"), pod("b", null, "web")));
    assertNull(views.cluster(List.of()).byIp(null), "a pod without an address is not seen by NetworkPolicy");
    assertEquals(1, views.cluster(List.of()).pods().size());
    assertEquals(2, views.size());
    Map<String, Pod> gone = new HashMap<>();
    gone.put("shop/b", null);
    views.begin(gone);
    assertEquals(1, views.size());
    views.begin(List.of());
    assertEquals(0, views.size());
    assertNull(views.cluster(List.of()).byIp("10.0.0.1"));
  }

  @Test
  void ofTwoPodsWithOneAddressTheFirstByNameAnswersWhicheverCameFirst() {
    PodViews views = new PodViews();
    views.begin(List.of(pod("b", "10.0.0.1", "web")));
    views.begin(Map.of("shop/a", pod("a", "10.0.0.1", "api")));
    assertEquals("a", views.cluster(List.of()).byIp("10.0.0.1").name());
    assertEquals("a", new ClusterView(List.of(), List.of(pod("b", "10.0.0.1", "web"), pod("a", "10.0.0.1", "api")))
        .byIp("10.0.0.1").name(), "the full view answers the same");
  }
}
