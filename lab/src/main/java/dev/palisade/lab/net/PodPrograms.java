package dev.palisade.lab.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The programs every pod of the lab network runs, by pod key (namespace/name): one
 * {@link ProgramSupervisor} per container that has a command. Logs go to
 * {@code ROOT/NAMESPACE/POD/CONTAINER.log} (see {@link #logFile}), which {@code palisade lab logs}
 * reads without asking the lab; containers without a working directory share a temporary
 * directory of their pod, removed with the pod.
 */
public final class PodPrograms implements AutoCloseable {
  private final Map<String, List<ProgramSupervisor>> byPod = new ConcurrentHashMap<>();
  private final Map<String, Path> tempDirs = new ConcurrentHashMap<>();
  private volatile Path logRoot;

  PodPrograms(Path logRoot) {
    this.logRoot = logRoot;
  }

  /** Where the logs of pods started from now on go (the lab's state directory, for the CLI). */
  public void logTo(Path root) {
    this.logRoot = root;
  }

  public Path logRoot() {
    return logRoot;
  }

  /** The log of a pod's container under a log root. */
  public static Path logFile(Path root, String namespace, String pod, String container) {
    return root.resolve(namespace).resolve(pod).resolve(container + ".log");
  }

  /**
   * Starts the pod's programs inside its network namespace, once: a second call for the same pod
   * does nothing. {@code onChange} is told whenever one of them starts, exits or is restarted.
   */
  public synchronized void start(String podKey, String netns, List<Program> programs, Runnable onChange) {
    if (byPod.containsKey(podKey) || programs.isEmpty()) {
      return;
    }
    int slash = podKey.indexOf('/');
    String ns = podKey.substring(0, slash);
    String name = podKey.substring(slash + 1);
    List<ProgramSupervisor> started = new ArrayList<>();
    byPod.put(podKey, started);
    for (Program p : programs) {
      Path dir = p.workingDir() != null ? p.workingDir() : tempDir(podKey);
      ProgramSupervisor s = new ProgramSupervisor(podKey, netns, p, dir, logFile(logRoot, ns, name, p.container()),
          onChange);
      started.add(s);
      s.start();
    }
  }

  private Path tempDir(String podKey) {
    return tempDirs.computeIfAbsent(podKey, k -> {
      try {
        return Files.createTempDirectory("pal-pod-" + k.replace('/', '_') + "-");
      } catch (IOException e) {
        throw new IllegalStateException("cannot create a working directory for pod " + k + ": " + e.getMessage(), e);
      }
    });
  }

  /** The state of each program of the pod, in container order; empty for a pod without programs. */
  public List<ProgramStatus> statuses(String podKey) {
    List<ProgramSupervisor> list = byPod.get(podKey);
    return list == null ? List.of() : list.stream().map(ProgramSupervisor::status).toList();
  }

  /** The pids of the pod's running programs (for tests and `lab status`). */
  public List<Long> pids(String podKey) {
    List<ProgramSupervisor> list = byPod.get(podKey);
    return list == null ? List.of() : list.stream().flatMap(s -> s.pid().stream()).toList();
  }

  /** Stops the pod's programs (SIGTERM, SIGKILL after their grace), and removes its temporary directory. */
  public void stop(String podKey) {
    List<ProgramSupervisor> list;
    synchronized (this) {
      list = byPod.remove(podKey);
    }
    if (list != null) {
      stopAll(list);
    }
    Path tmp = tempDirs.remove(podKey);
    if (tmp != null) {
      deleteTree(tmp);
    }
  }

  /** Stops every program of every pod, all at once so that closing a lab takes one grace period, not one per pod. */
  @Override
  public void close() {
    List<ProgramSupervisor> all = new ArrayList<>();
    List<String> keys;
    synchronized (this) {
      keys = List.copyOf(byPod.keySet());
      byPod.values().forEach(all::addAll);
      byPod.clear();
    }
    stopAll(all);
    keys.forEach(k -> {
      Path tmp = tempDirs.remove(k);
      if (tmp != null) {
        deleteTree(tmp);
      }
    });
  }

  private static void stopAll(List<ProgramSupervisor> supervisors) {
    List<Thread> threads = new ArrayList<>();
    for (ProgramSupervisor s : supervisors) {
      Thread t = new Thread(s::stop, "stop-program");
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // a leftover temporary directory is harmless
    }
  }
}
