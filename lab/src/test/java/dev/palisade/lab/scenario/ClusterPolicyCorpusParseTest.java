package dev.palisade.lab.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The project's ClusterNetworkPolicy corpus (src/test/resources/cnp) parses, and every policy step holds one. */
class ClusterPolicyCorpusParseTest {
  static final Path CORPUS = Path.of("src/test/resources/cnp");
  private static final List<String> CLUSTER_KINDS =
      List.of("ClusterNetworkPolicy", "AdminNetworkPolicy", "BaselineAdminNetworkPolicy");

  @Test
  void everyScenarioParsesAndUsesClusterPolicies() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(CORPUS)) {
      files = s.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
    assertTrue(files.size() >= 5, "the corpus should hold at least 5 scenarios, has " + files.size());
    for (Path f : files) {
      Scenario s = ScenarioParser.parse(f);
      assertTrue(s.id().startsWith("cnp-"), f + ": id " + s.id());
      assertTrue(s.steps().stream().anyMatch(st -> !st.probes().isEmpty()), f + ": probes nothing");
      long cluster = s.steps().stream()
          .filter(st -> st.fields().get("policy") instanceof Map<?, ?> m && CLUSTER_KINDS.contains(m.get("kind")))
          .count();
      assertTrue(cluster > 0, f + ": creates no cluster-scoped policy");
    }
    assertEquals(files.size(), files.stream().map(Path::getFileName).distinct().count());
  }
}
