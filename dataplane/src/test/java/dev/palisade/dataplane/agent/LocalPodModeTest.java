package dev.palisade.dataplane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.palisade.model.IdentityPolicy;
import dev.palisade.model.Mode;
import dev.palisade.model.ObjectProblem;
import dev.palisade.model.WorkloadRef;
import dev.palisade.model.crd.SegmentationMode;
import dev.palisade.model.crd.SegmentationModeSpec;
import dev.palisade.model.workload.ModeResolver;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 16: a local pod's mode comes from SegmentationModes and namespaces; its AllowList (the
 * controller's resolution when it wrote it) can only make it stricter, except where workload
 * annotations, which the agent cannot see, are honoured and nothing of the workload's own decides.
 */
class LocalPodModeTest {
  private static final WorkloadRef DB = WorkloadRef.parse("prod/Deployment/db");
  private static final WorkloadRef WEB = WorkloadRef.parse("prod/Deployment/web");

  private static SegmentationMode mode(String workload, String mode) {
    SegmentationMode m = new SegmentationMode();
    m.setMetadata(new ObjectMetaBuilder().withNamespace("prod").withName(workload == null ? "prod" : "w-" + mode)
        .build());
    m.setSpec(new SegmentationModeSpec());
    m.getSpec().mode = mode;
    m.getSpec().workload = workload;
    return m;
  }

  private static IdentityPolicy list(Mode mode) {
    return new IdentityPolicy(7, mode, List.of(), List.of());
  }

  @Test
  void aListCanOnlyMakeAPodStricterThanItsNamespace() {
    List<ObjectProblem> problems = new ArrayList<>();
    ModeResolver prodEnforced = new ModeResolver(List.of(mode(null, "enforce")), Mode.LEARN, problems::add);
    ModeResolver prodLearns = new ModeResolver(List.of(mode(null, "learn")), Mode.LEARN, problems::add);
    for (boolean honoured : new boolean[] {false, true}) {
      // no list: the namespace decides (never the absence of a list)
      assertEquals(Mode.ENFORCE, LocalPods.modeOf(DB, null, prodEnforced, honoured));
      assertEquals(Mode.LEARN, LocalPods.modeOf(DB, null, prodLearns, honoured));
    }
    // a list written before the namespace was enforced, or edited to learn: enforced all the same
    assertEquals(Mode.ENFORCE, LocalPods.modeOf(DB, list(Mode.LEARN), prodEnforced, false));
    assertEquals(Mode.ENFORCE, LocalPods.modeOf(DB, list(Mode.MONITOR), prodEnforced, false));
    // a list stricter than the namespace (not yet rewritten after a relaxation) holds until it is
    assertEquals(Mode.ENFORCE, LocalPods.modeOf(DB, list(Mode.ENFORCE), prodLearns, false));
    assertEquals(Mode.MONITOR, LocalPods.modeOf(DB, list(Mode.MONITOR), prodLearns, false));
    assertEquals(List.of(), problems);
  }

  @Test
  void whereWorkloadAnnotationsAreHonouredTheListSpeaksForTheAnnotationOnlyWithoutTheWorkloadsOwnSetting() {
    ModeResolver r = new ModeResolver(List.of(mode(null, "enforce"), mode("Deployment/web", "enforce")), Map.of(),
        Map.of(), Mode.LEARN, p -> { });
    // db: only the namespace's setting is seen; the controller's list says learn (the annotation on db)
    assertEquals(Mode.LEARN, LocalPods.modeOf(DB, list(Mode.LEARN), r, true));
    assertEquals(Mode.ENFORCE, LocalPods.modeOf(DB, list(Mode.LEARN), r, false));
    // web has a SegmentationMode of its own, which beats any annotation: the list cannot relax it
    assertEquals(Mode.ENFORCE, LocalPods.modeOf(WEB, list(Mode.LEARN), r, true));
  }
}
