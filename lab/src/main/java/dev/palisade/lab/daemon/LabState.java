package dev.palisade.lab.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a running lab leaves what other commands need: its pid, its kubeconfig, its API token
 * file, a ready marker and its log. One directory per lab; `lab down` removes it.
 */
public record LabState(Path dir) {
  public static LabState defaultDir() {
    String override = System.getenv("PALISADE_LAB_DIR");
    return new LabState(override != null ? Path.of(override)
        : Path.of(System.getProperty("user.home"), ".palisade", "lab"));
  }

  public Path pidFile() {
    return dir.resolve("lab.pid");
  }

  public Path kubeconfig() {
    return dir.resolve("kubeconfig");
  }

  public Path readyFile() {
    return dir.resolve("ready");
  }

  public Path logFile() {
    return dir.resolve("lab.log");
  }

  /** One line per running pod: ns/name, node, IP, network namespace (tab-separated). */
  public Path podsFile() {
    return dir.resolve("pods.tsv");
  }

  /**
   * The logs of the pods' programs: {@code NAMESPACE/POD/CONTAINER.log} (see
   * {@link dev.palisade.lab.net.PodPrograms#logFile}); kept after a pod finished, removed by `lab down`.
   */
  public Path podLogDir() {
    return dir.resolve("pods");
  }

  /** One line per node: name, network namespace, address (tab-separated). */
  public Path nodesFile() {
    return dir.resolve("nodes.tsv");
  }

  /** One line per Palisade process: name, pid (- while restarting), restarts, last exit, metrics URL (tab-separated). */
  public Path processesFile() {
    return dir.resolve("processes.tsv");
  }

  /** "running desired" while the lab brings pods up. */
  public Path progressFile() {
    return dir.resolve("progress");
  }

  /** Facts the running lab publishes for the CLI: API URL, controller URL, tokens (key=value lines). */
  public Path infoFile() {
    return dir.resolve("info.properties");
  }

  public Optional<Long> pid() {
    try {
      return Files.isRegularFile(pidFile()) ? Optional.of(Long.parseLong(Files.readString(pidFile()).strip()))
          : Optional.empty();
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** The lab process, if its pid file names a live process that is a palisade lab. */
  public Optional<ProcessHandle> liveProcess() {
    return pid().flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive)
        .filter(p -> p.info().commandLine().map(c -> c.contains("lab") && c.contains("serve")).orElse(true));
  }

  public java.util.Properties info() {
    var props = new java.util.Properties();
    try (var in = Files.newInputStream(infoFile())) {
      props.load(in);
    } catch (IOException e) {
      throw new IllegalStateException("no running lab (cannot read " + infoFile() + "): run `palisade lab up` first");
    }
    return props;
  }
}
