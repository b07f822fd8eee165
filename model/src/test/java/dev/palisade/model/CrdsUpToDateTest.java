package dev.palisade.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** deploy/crds must be what the generator makes of the Java types (run scripts/gen-crds.sh). */
class CrdsUpToDateTest {
  private static Map<String, String> read(Path dir) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(f -> f.getFileName().toString().endsWith(".palisade.dev-v1.yml")).toList()) {
        out.put(p.getFileName().toString(), Files.readString(p));
      }
    }
    return out;
  }

  @Test
  void deployCrdsMatchTheGeneratedOnes() throws IOException {
    Map<String, String> generated = read(Path.of("target/classes/META-INF/fabric8"));
    Map<String, String> deployed = read(Path.of("../deploy/crds"));
    assertFalse(generated.isEmpty(), "the CRD generator produced nothing");
    assertEquals(generated.keySet(), deployed.keySet(), "run scripts/gen-crds.sh");
    generated.forEach((name, text) -> assertEquals(text, deployed.get(name), name + " is stale: run scripts/gen-crds.sh"));
  }
}
