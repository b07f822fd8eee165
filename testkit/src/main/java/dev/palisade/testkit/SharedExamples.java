package dev.palisade.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Locates ../shared (scenario examples) from any module's working directory. A user's fresh clone
 * has no ../shared, so tests that read it skip; CI always has it.
 */
public final class SharedExamples {
  private SharedExamples() {}

  public static Optional<Path> sharedDir() {
    Path dir = Path.of("").toAbsolutePath();
    for (int i = 0; i < 4 && dir != null; i++, dir = dir.getParent()) {
      Path candidate = dir.resolve("../shared/scenarios").normalize();
      if (Files.isDirectory(candidate) && Files.isRegularFile(dir.resolve("pom.xml"))
          && isProjectRoot(dir)) {
        return Optional.of(candidate.getParent());
      }
    }
    return Optional.empty();
  }

  private static boolean isProjectRoot(Path dir) {
    return Files.isRegularFile(dir.resolve("palisade"));
  }
}
