package dev.palisade.lab.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The project's NetworkPolicy conformance corpus (src/test/resources/netpol) parses, whole. */
class NetpolCorpusParseTest {
  static final Path CORPUS = Path.of("src/test/resources/netpol");

  static List<Path> corpus() throws IOException {
    try (Stream<Path> files = Files.list(CORPUS)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  @Test
  void everyScenarioParsesAndIdsAreUnique() throws IOException {
    List<Path> files = corpus();
    assertTrue(files.size() >= 30, "the corpus should hold at least 30 scenarios, has " + files.size());
    Map<String, Path> byId = new HashMap<>();
    for (Path f : files) {
      Scenario s = ScenarioParser.parse(f);
      assertTrue(!s.id().isEmpty(), f + ": needs an id");
      Path other = byId.put(s.id(), f);
      assertEquals(null, other, "id " + s.id() + " is used by " + other + " and " + f);
      assertTrue(s.steps().stream().anyMatch(st -> !st.probes().isEmpty()), f + ": probes nothing");
    }
  }
}
