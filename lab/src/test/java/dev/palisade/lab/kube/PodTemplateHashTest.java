package dev.palisade.lab.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodTemplateHashTest {
  private static PodTemplateSpec template(Map<String, String> labels, String env) {
    return new PodTemplateSpecBuilder().withNewMetadata().withLabels(labels).endMetadata()
        .withNewSpec().addNewContainer().withName("app").withImage("echo").addNewEnv().withName("V").withValue(env)
        .endEnv().endContainer().endSpec().build();
  }

  @Test
  void sameTemplateSameHashWhateverTheMapOrder() {
    Map<String, String> ab = new LinkedHashMap<>();
    ab.put("a", "1");
    ab.put("b", "2");
    Map<String, String> ba = new LinkedHashMap<>();
    ba.put("b", "2");
    ba.put("a", "1");
    assertEquals(PodTemplateHash.of(template(ab, "x")), PodTemplateHash.of(template(ba, "x")));
  }

  @Test
  void changedTemplateChangedHash() {
    assertNotEquals(PodTemplateHash.of(template(Map.of("a", "1"), "x")), PodTemplateHash.of(template(Map.of("a", "1"), "y")));
  }

  @Test
  void hashIsANameSafeWord() {
    String hash = PodTemplateHash.of(template(Map.of("a", "1"), "x"));
    assertTrue(hash.matches("[bcdfghjklmnpqrstvwxz2456789]{6,10}"), hash);
  }

  @Test
  void theHashLabelOfAReplicaSetTemplateDoesNotCount() {
    Map<String, String> withHash = new LinkedHashMap<>(Map.of("a", "1"));
    String hash = PodTemplateHash.of(template(withHash, "x"));
    withHash.put(PodTemplateHash.LABEL, hash);
    assertEquals(hash, PodTemplateHash.of(template(withHash, "x")));
  }
}
