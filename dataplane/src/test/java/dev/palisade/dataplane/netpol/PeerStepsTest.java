package dev.palisade.dataplane.netpol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dataplane.render.AllowRect;
import dev.palisade.dataplane.render.Interval;
import dev.palisade.dataplane.render.RectSet;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PeerStepsTest {
  private static final String SELF = "10.0.0.100";

  private static Pod pod(String name, String ip, String app) {
    return new PodBuilder().withNewMetadata().withNamespace("shop").withName(name).addToLabels("app", app)
        .endMetadata().withNewStatus().withPhase("Running").withPodIP(ip).endStatus().build();
  }

  /** db takes TCP 5432 from web pods, and TCP 5432-5433 from web and api pods: the two rules overlap. */
  private static List<NetworkPolicy> policies() {
    return List.of(new NetworkPolicyBuilder().withNewMetadata().withNamespace("shop").withName("db").endMetadata()
        .withNewSpec().withNewPodSelector().addToMatchLabels("app", "db").endPodSelector()
        .addNewIngress().addNewFrom().withNewPodSelector().addToMatchLabels("app", "web").endPodSelector().endFrom()
        .addNewPort().withProtocol("TCP").withPort(new IntOrString(5432)).endPort().endIngress()
        .addNewIngress().addNewFrom().withNewPodSelector().addToMatchLabels("app", "web").endPodSelector().endFrom()
        .addNewFrom().withNewPodSelector().addToMatchLabels("app", "api").endPodSelector().endFrom()
        .addNewPort().withProtocol("TCP").withPort(new IntOrString(5432)).withEndPort(5433).endPort().endIngress()
        .endSpec().build());
  }

  /** Rows: a pod event between two compiles; the stepped side must equal a fresh compile's and say what moved. */
  @Test
  void aPeerJoiningOrLeavingMovesTheSideByItsRangesAndEqualsAFreshCompile() {
    record Row(String what, String key, Pod now) {}
    List<Row> rows = List.of(
        new Row("web pod joins between two others: three ranges merge into one", "shop/w2", pod("w2", "10.0.0.2", "web")),
        new Row("the middle web pod leaves: the range splits again", "shop/w2", null),
        new Row("a web pod becomes api: it leaves one rule, still in the other", "shop/w1", pod("w1", "10.0.0.1", "api")),
        new Row("an api pod leaves everything", "shop/w1", null),
        new Row("a web pod reuses a gone pod's address", "shop/w9", pod("w9", "10.0.0.1", "web")));
    Map<String, Pod> pods = new HashMap<>();
    for (Pod p : List.of(pod("db", SELF, "db"), pod("w1", "10.0.0.1", "web"), pod("w3", "10.0.0.3", "web"),
        pod("a5", "10.0.0.5", "api"))) {
      pods.put("shop/" + p.getMetadata().getName(), p);
    }
    // the same policy objects throughout, as an informer hands them out: a new object is a new policy
    List<NetworkPolicy> policies = policies();
    PodViews views = new PodViews();
    PodPolicy was = NetworkPolicyCompiler.compile(policies, List.of(), new ArrayList<>(pods.values()), Set.of(SELF),
        views).pods().get(SELF);
    int stepped = 0;
    for (Row row : rows) {
      Map<String, Pod> changed = new HashMap<>();
      changed.put(row.key(), row.now());
      if (row.now() == null) {
        pods.remove(row.key());
      } else {
        pods.put(row.key(), row.now());
      }
      PodPolicy now = NetworkPolicyCompiler.compile(policies, List.of(), changed, Set.of(SELF), views).pods()
          .get(SELF);
      PodPolicy fresh = NetworkPolicyCompiler.compile(policies, List.of(), new ArrayList<>(pods.values()),
          Set.of(SELF)).pods().get(SELF);
      assertEquals(fresh, now, row.what());
      if (now.ingress().rects() instanceof RectSet r && r.madeFrom(was.ingress().rects())) {
        stepped++;
        Set<AllowRect> expectAdded = new java.util.HashSet<>(now.ingress().rects());
        expectAdded.removeAll(was.ingress().rects());
        Set<AllowRect> expectRemoved = new java.util.HashSet<>(was.ingress().rects());
        expectRemoved.removeAll(now.ingress().rects());
        assertEquals(expectAdded, r.added(), "added, " + row.what());
        assertEquals(expectRemoved, r.removed(), "removed, " + row.what());
        assertEquals(Set.copyOf(now.ingress().rects()).hashCode(), r.hashCode(), "kept hash, " + row.what());
      }
      was = now;
    }
    assertEquals(rows.size(), stepped, "every row moves the side from the last one, none makes it whole");
  }

  @Test
  void diffTellsTheRangesOnlyOneSideHas() {
    List<Interval> gone = new ArrayList<>();
    List<Interval> come = new ArrayList<>();
    PeerSteps.diff(List.of(new Interval(1, 1), new Interval(3, 3), new Interval(7, 9)),
        List.of(new Interval(1, 3), new Interval(7, 9), new Interval(12, 12)), gone, come);
    assertEquals(List.of(new Interval(1, 1), new Interval(3, 3)), gone);
    assertEquals(List.of(new Interval(1, 3), new Interval(12, 12)), come);
    gone.clear();
    come.clear();
    PeerSteps.diff(List.of(new Interval(5, 5)), List.of(new Interval(5, 5)), gone, come);
    assertTrue(gone.isEmpty());
    assertTrue(come.isEmpty());
  }
}
