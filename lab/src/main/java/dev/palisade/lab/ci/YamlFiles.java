package dev.palisade.lab.ci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** PATH arguments of {@code palisade ci}: a file, or a directory whose *.yaml and *.yml files count (sorted). */
final class YamlFiles {
  private YamlFiles() {}

  static List<Path> expand(List<Path> paths, String option) {
    List<Path> out = new ArrayList<>();
    for (Path p : paths) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> s = Files.list(p)) {
          s.filter(f -> Files.isRegularFile(f) && f.getFileName().toString().matches(".*\\.ya?ml")).sorted()
              .forEach(out::add);
        } catch (IOException e) {
          throw new CiInputException(option + " " + p + ": cannot list: " + e.getMessage());
        }
      } else if (Files.isRegularFile(p)) {
        out.add(p);
      } else {
        throw new CiInputException(option + " " + p + ": no such file or directory");
      }
    }
    return out;
  }
}
