package dev.palisade.dataplane.podstart;

import dev.palisade.kernel.netns.Commands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;

/**
 * The node's CNI plugin (cni/palisade-cni.c) built on this machine from the source this jar
 * carries, by the script the agent image builds it with (scripts/build-cni.sh; both packed under
 * {@code palisade-cni/}): the process lab and PalisadeCniTest run the binary a node would run, not
 * a Java stand-in for it. Needs gcc; {@link #missingCompiler()} says whether this machine has it.
 */
public final class CniPluginBuild {
  private static final String ROOT = "palisade-cni/";
  private static final String COMPILER = "gcc";
  /** gcc, killed with the script past this (a hung compiler must not hang the lab or the test that builds it). */
  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  private CniPluginBuild() {}

  /** The binary and the script's line saying how it was linked ("build-cni: PATH (static, 12.2.0)"). */
  public record Built(Path binary, String how) {}

  /** Why the plugin cannot be built here, or empty when gcc is on the PATH. */
  public static Optional<String> missingCompiler() {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, COMPILER))) {
        return Optional.empty();
      }
    }
    return Optional.of("no " + COMPILER + " on the PATH (" + path + "): scripts/install-deps.sh installs gcc and "
        + "libc6-dev");
  }

  /** Builds {@code dir}/palisade-cni (dir made if missing); throws with the compiler's output when that fails. */
  public static Built build(Path dir) {
    try {
      Files.createDirectories(dir);
      Path source = extract("palisade-cni.c", dir);
      Path script = extract("build-cni.sh", dir);
      Path binary = dir.resolve("palisade-cni");
      ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), binary.toString(), source.toString())
          .redirectErrorStream(true);
      Commands.Result r;
      try {
        r = Commands.runAllowingFailure(pb, TIMEOUT);
      } catch (Commands.CommandException e) {
        throw new IllegalStateException("building the CNI plugin failed: " + e.getMessage(), e);
      }
      String output = r.stdout().strip();
      if (r.exitCode() != 0) {
        throw new IllegalStateException("building the CNI plugin failed (exit " + r.exitCode() + "): " + output);
      }
      String[] lines = output.split("\n");
      return new Built(binary, lines[lines.length - 1]);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot build the CNI plugin in " + dir + ": " + e.getMessage(), e);
    }
  }

  private static Path extract(String name, Path dir) throws IOException {
    try (InputStream in = CniPluginBuild.class.getClassLoader().getResourceAsStream(ROOT + name)) {
      if (in == null) {
        throw new IllegalStateException(ROOT + name + " is not on the classpath: rebuild the jar with "
            + "`mvn -DskipTests package`");
      }
      Path to = dir.resolve(name);
      Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
      return to;
    }
  }
}
