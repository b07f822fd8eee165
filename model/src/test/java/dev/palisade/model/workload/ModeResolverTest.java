package dev.palisade.model.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.model.Mode;
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
    List<String> problems = new ArrayList<>();
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
  void aBadAnnotationIsReportedAndIgnored() {
    List<String> problems = new ArrayList<>();
    ModeResolver r = new ModeResolver(List.of(), Map.of("shop", "enforced"), Map.of("shop/Deployment/web", "lurn"),
        Mode.MONITOR, problems::add);
    assertEquals(Mode.MONITOR, r.modeOf(WEB));
    assertEquals(2, problems.size(), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.contains("Namespace shop") && p.contains("'enforced'")), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.contains("shop/Deployment/web") && p.contains("'lurn'")), problems.toString());
  }
}
