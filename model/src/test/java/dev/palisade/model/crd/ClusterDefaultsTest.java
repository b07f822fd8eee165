package dev.palisade.model.crd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.model.Mode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterDefaultsTest {
  @Test
  void theConfigMapCarriesTheModeAndReadsBack() {
    ConfigMap cm = ClusterDefaults.configMap("palisade-system", Mode.MONITOR);
    assertEquals("palisade-defaults", cm.getMetadata().getName());
    assertEquals("palisade-system", cm.getMetadata().getNamespace());
    assertEquals(Map.of("mode", "monitor", "workloadModeAnnotations", "ignored"), cm.getData());
    List<String> problems = new ArrayList<>();
    assertEquals(Mode.MONITOR, ClusterDefaults.modeOf(cm.getData(), problems::add));
    assertTrue(problems.isEmpty(), problems.toString());
    assertFalse(ClusterDefaults.workloadAnnotationsHonoured(cm.getData()));
    assertTrue(ClusterDefaults.workloadAnnotationsHonoured(
        ClusterDefaults.configMap("palisade-system", Mode.MONITOR, true).getData()));
  }

  @Test
  void workloadAnnotationsAreHonouredOnlyWhenTheConfigMapSaysSoExactly() {
    for (Map<String, String> data : List.of(Map.of("mode", "enforce"), Map.of("workloadModeAnnotations", "Honoured"),
        Map.of("workloadModeAnnotations", "true"), Map.of("workloadModeAnnotations", ""))) {
      assertFalse(ClusterDefaults.workloadAnnotationsHonoured(data), data.toString());
    }
    assertFalse(ClusterDefaults.workloadAnnotationsHonoured(null));
  }

  @Test
  void aMissingOrBadModeIsEnforcedAndReported() {
    Map<String, String> noKey = new HashMap<>();
    for (Map<String, String> data : List.of(Map.of("mode", "enforcing"), noKey)) {
      List<String> problems = new ArrayList<>();
      assertEquals(Mode.ENFORCE, ClusterDefaults.modeOf(data, problems::add), data.toString());
      assertEquals(1, problems.size(), problems.toString());
      assertTrue(problems.get(0).contains("palisade-defaults"), problems.get(0));
    }
    List<String> problems = new ArrayList<>();
    assertEquals(Mode.ENFORCE, ClusterDefaults.modeOf(null, problems::add));
    assertTrue(problems.get(0).contains("'null'"), problems.get(0));
  }

  @Test
  void aBlankNamespaceIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClusterDefaults.configMap(" ", Mode.LEARN));
    assertTrue(e.getMessage().contains("namespace"), e.getMessage());
  }
}
