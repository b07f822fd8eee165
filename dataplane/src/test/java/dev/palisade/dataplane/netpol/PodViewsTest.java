package dev.palisade.dataplane.netpol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
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
    views.begin();
    ClusterView.LivePod first = views.live(a);
    views.begin();
    assertSame(first, views.live(a));
    Pod relabelled = pod("a", "10.0.0.1", "api");
    views.begin();
    ClusterView.LivePod second = views.live(relabelled);
    assertNotSame(first, second);
    assertEquals("api", second.labels().get("app"));
  }

  @Test
  void forgetsPodsTheLatestCompileDidNotSeeAndRemembersInvisibleOnes() {
    PodViews views = new PodViews();
    views.begin();
    views.live(pod("a", "10.0.0.1", "web"));
    assertNull(views.live(pod("b", null, "web")), "a pod without an address is not seen by NetworkPolicy");
    assertEquals(2, views.size());
    views.begin();
    views.live(pod("a", "10.0.0.1", "web"));
    assertEquals(1, views.size());
  }
}
