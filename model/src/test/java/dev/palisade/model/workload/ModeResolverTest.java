package dev.palisade.model.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.model.Mode;
import dev.palisade.model.ObjectProblem;
import dev.palisade.model.WorkloadRef;
import dev.palisade.model.crd.SegmentationMode;
import dev.palisade.model.crd.SegmentationModeSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModeResolverTest {
  private static SegmentationMode cr(String ns, String workload, String mode) {
    SegmentationMode m = new SegmentationMode();
    m.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(workload == null ? "namespace" : "w").build());
    m.setSpec(new SegmentationModeSpec());
    m.getSpec().mode = mode;
    m.getSpec().workload = workload;
    return m;
  }

  private static final WorkloadRef WEB = new WorkloadRef("shop", "Deployment", "web");
  private static final WorkloadRef DB = new WorkloadRef("shop", "StatefulSet", "db");

  @Test
  void theNearestSettingWinsAndAResourceBeatsAnAnnotationAtTheSameLevel() {
    List<ObjectProblem> problems = new ArrayList<>();
    ModeResolver onlyAnnotations = new ModeResolver(List.of(), Map.of("shop", "monitor"),
        Map.of("shop/StatefulSet/db", "enforce"), Mode.LEARN, problems::add);
    assertEquals(Mode.MONITOR, onlyAnnotations.modeOf(WEB), "the namespace's annotation");
    assertEquals(Mode.ENFORCE, onlyAnnotations.modeOf(DB), "the root owner's annotation is nearer");
    assertEquals(Mode.LEARN, onlyAnnotations.modeOf(new WorkloadRef("other", "Deployment", "x")), "the default");

    ModeResolver both = new ModeResolver(List.of(cr("shop", null, "learn"), cr("shop", "StatefulSet/db", "monitor")),
        Map.of("shop", "enforce"), Map.of("shop/StatefulSet/db", "enforce"), Mode.LEARN, problems::add);
    assertEquals(Mode.LEARN, both.modeOf(WEB));
    assertEquals(Mode.MONITOR, both.modeOf(DB));
    assertTrue(problems.isEmpty(), problems.toString());
  }

  @Test
  void twoSegmentationModesForOneTargetHoldTheStricterInEitherOrder() {
    SegmentationMode learn = cr("shop", "Deployment/web", "learn");
    SegmentationMode enforce = cr("shop", "Deployment/web", "enforce");
    enforce.getMetadata().setName("web-by-kubectl");
    SegmentationMode nsLearn = cr("shop", null, "learn");
    SegmentationMode nsMonitor = cr("shop", "", "monitor");
    nsMonitor.getMetadata().setName("shop-mode");
    for (List<SegmentationMode> order : List.of(List.of(learn, enforce, nsLearn, nsMonitor),
        List.of(nsMonitor, enforce, nsLearn, learn))) {
      List<ObjectProblem> problems = new ArrayList<>();
      ModeResolver r = new ModeResolver(order, Mode.LEARN, problems::add);
      assertEquals(Mode.ENFORCE, r.modeOf(WEB), order.toString());
      assertEquals(Mode.MONITOR, r.modeOf(DB), "the namespace's stricter setting");
      assertEquals(2, problems.size(), problems.toString());
      assertTrue(problems.stream().anyMatch(p -> p.kind().equals("SegmentationMode")
          && p.message().contains("shop/Deployment/web too (")), problems.toString());
    }
  }

  @Test
  void aBadAnnotationIsReportedAndEnforcedAtItsLevel() {
    List<ObjectProblem> problems = new ArrayList<>();
    ModeResolver r = new ModeResolver(List.of(), Map.of("shop", "enforced"), Map.of("shop/Deployment/web", "lurn"),
        Mode.LEARN, problems::add);
    assertEquals(Mode.ENFORCE, r.modeOf(WEB), "the root owner's typo");
    assertEquals(Mode.ENFORCE, r.modeOf(DB), "the namespace's typo, not the default learn");
    assertEquals(Mode.LEARN, r.modeOf(new WorkloadRef("other", "Deployment", "x")), "other namespaces keep the default");
    assertEquals(2, problems.size(), problems.toString());
    // each names its object, so that the controller can put a Warning Event on it
    assertTrue(problems.contains(new ObjectProblem("Namespace", null, "shop",
        "annotation palisade.dev/mode: mode must be learn, monitor or enforce, not 'enforced'; enforcing until it is fixed")),
        problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.equals(new ObjectProblem("Deployment", "shop", "web", p.message()))
        && p.message().contains("'lurn'")), problems.toString());
  }

  @Test
  void aBadSegmentationModeIsReportedAndEnforcedAtItsLevel() {
    List<ObjectProblem> problems = new ArrayList<>();
    ModeResolver r = new ModeResolver(List.of(cr("shop", null, "enforcing"), cr("lab", "StatefulSet/db", "Lrn"),
        cr("lab", null, "learn")), Map.of(), Map.of(), Mode.LEARN, problems::add);
    assertEquals(Mode.ENFORCE, r.modeOf(WEB), "a typo on the namespace's resource locks the namespace");
    assertEquals(Mode.ENFORCE, r.modeOf(new WorkloadRef("lab", "StatefulSet", "db")), "a typo on a workload's");
    assertEquals(Mode.LEARN, r.modeOf(new WorkloadRef("lab", "Deployment", "web")), "its namespace is unaffected");
    assertEquals(2, problems.size(), problems.toString());
    assertTrue(problems.contains(new ObjectProblem("SegmentationMode", "shop", "namespace",
        "mode must be learn, monitor or enforce, not 'enforcing'; enforcing until it is fixed")), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.where().equals("SegmentationMode lab/w") && p.message().contains("'Lrn'")),
        problems.toString());
  }

  @Test
  void aBadSegmentationModeStillBeatsAValidAnnotationAtTheSameLevel() {
    List<ObjectProblem> problems = new ArrayList<>();
    ModeResolver r = new ModeResolver(List.of(cr("shop", null, "")), Map.of("shop", "learn"), Map.of(), Mode.LEARN,
        problems::add);
    assertEquals(Mode.ENFORCE, r.modeOf(WEB));
    assertEquals(1, problems.size(), problems.toString());
  }
}
