package dev.palisade.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the process-lab benchmarks (agent-memory, pod-start-process, restart-probe) share: the
 * command that runs the lab's controller and agents as their own processes, and the NetworkPolicy
 * rule that fills an agent's table with one set element per allowed tuple.
 */
final class ProcessLabs {
  private ProcessLabs() {}

  /** `palisade` from the built CLI jar (system property palisade.cli.jar, default cli/target/palisade.jar). */
  static List<String> launcher() {
    Path cliJar = Path.of(System.getProperty("palisade.cli.jar", "cli/target/palisade.jar")).toAbsolutePath();
    if (!Files.isRegularFile(cliJar)) {
      throw new IllegalArgumentException("no palisade CLI jar at " + cliJar + ": build it (mvn -pl cli -am package)");
    }
    return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--enable-native-access=ALL-UNNAMED", "-cp", cliJar.toString(), "dev.palisade.cli.Main");
  }

  /**
   * One ingress rule of a NetworkPolicy spec ("  - from:" onwards): peers {@code first..last-1} as
   * /32 ipBlocks from {@code base} upwards, on {@code ports} TCP ports from {@code firstPort}, both
   * spaced by 2 as {@link AllowedTuples} are, so that every tuple is its own set element.
   */
  static String peersOnPorts(long base, int first, int last, int firstPort, int ports) {
    StringBuilder sb = new StringBuilder("  - from:\n");
    for (int i = first; i < last; i++) {
      long ip = base + 2L * i;
      sb.append("    - ipBlock: {cidr: ").append(ip >> 24).append('.').append((ip >> 16) & 255).append('.')
          .append((ip >> 8) & 255).append('.').append(ip & 255).append("/32}\n");
    }
    sb.append("    ports:\n");
    for (int p = 0; p < ports; p++) {
      sb.append("    - {port: ").append(firstPort + 2 * p).append(", protocol: TCP}\n");
    }
    return sb.toString();
  }
}
