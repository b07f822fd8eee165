package dev.palisade.lab.daemon;

import dev.palisade.lab.net.RestartBackoff;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One of Palisade's processes in the lab (the controller, or a node's agent), kept running as kubelet
 * keeps a container: when it exits without being asked to, it is started again after a
 * {@link RestartBackoff} (as the lab's pods' programs are). Output goes to one log file per
 * process, appended across restarts.
 *
 * <p>Thread contract: {@link #start()} and {@link #stop()} are called by the lab's owner thread; one
 * watcher thread per process waits for its exit and restarts it.
 */
public final class SupervisedProcess implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SupervisedProcess.class);

  private final String name;
  private final List<String> command;
  private final Map<String, String> env;
  private final Path log;
  private final Object lock = new Object();
  private Process process;
  private int restarts;
  private boolean stopping;
  private String lastExit = "";
  private Thread watcher;

  /** @param name as {@code lab status} and {@code lab kill} name it: "controller" or "agent-N" */
  public SupervisedProcess(String name, List<String> command, Map<String, String> env, Path log) {
    this.name = name;
    this.command = List.copyOf(command);
    this.env = Map.copyOf(env);
    this.log = log;
  }

  public String name() {
    return name;
  }

  public List<String> command() {
    return command;
  }

  /** Starts the process and its watcher; the first start failing (no such program) throws. */
  public void start() {
    synchronized (lock) {
      process = launch();
    }
    watcher = new Thread(this::watch, "supervise-" + name);
    watcher.setDaemon(true);
    watcher.start();
  }

  private Process launch() {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().putAll(env);
    // the child exits when this process dies, even by SIGKILL (cli Main reads it): no orphans
    pb.environment().put("PALISADE_EXIT_WITH_PID", Long.toString(ProcessHandle.current().pid()));
    try {
      Process p = pb.start();
      LOG.info("{} started, pid {}", name, p.pid());
      return p;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + name + " (" + String.join(" ", command) + "): "
          + e.getMessage(), e);
    }
  }

  private volatile boolean killedOnPurpose;

  private void watch() {
    RestartBackoff backoffs = new RestartBackoff();
    while (true) {
      Process p;
      synchronized (lock) {
        p = process;
      }
      long startedAt = System.nanoTime();
      int code;
      try {
        code = p.waitFor();
      } catch (InterruptedException e) {
        return;
      }
      synchronized (lock) {
        if (stopping) {
          return;
        }
        lastExit = describe(code);
      }
      Duration backoff = backoffs.after(Duration.ofNanos(System.nanoTime() - startedAt));
      if (killedOnPurpose) {
        // not a crash: restarted at once, as a DaemonSet replaces a deleted pod without back-off
        killedOnPurpose = false;
        backoffs = new RestartBackoff();
        backoff = Duration.ZERO;
      }
      LOG.warn("{} (pid {}) exited: {}; restarting in {} ms", name, p.pid(), describe(code), backoff.toMillis());
      try {
        Thread.sleep(backoff.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      synchronized (lock) {
        if (stopping) {
          return;
        }
        try {
          process = launch();
          restarts++;
        } catch (IllegalStateException e) {
          LOG.error("{}", e.getMessage());
          // keep the dead process as the current one: the next round waits no time and retries
        }
      }
    }
  }

  private static String describe(int code) {
    return code > 128 ? "killed by signal " + (code - 128) : "exit code " + code;
  }

  /**
   * SIGKILL to the running process, restarted at once (no crash back-off: like deleting a pod,
   * which its DaemonSet replaces). Returns the killed pid, or empty if none was running.
   */
  public Optional<Long> kill() {
    synchronized (lock) {
      if (process == null || !process.isAlive()) {
        return Optional.empty();
      }
      killedOnPurpose = true;
      process.destroyForcibly();
      return Optional.of(process.pid());
    }
  }

  /** The running process's pid, or empty between a death and its restart. */
  public Optional<Long> pid() {
    synchronized (lock) {
      return process != null && process.isAlive() ? Optional.of(process.pid()) : Optional.empty();
    }
  }

  public int restarts() {
    synchronized (lock) {
      return restarts;
    }
  }

  public String lastExit() {
    synchronized (lock) {
      return lastExit;
    }
  }

  /** SIGTERM, then SIGKILL after the grace period, as kubelet stops a container; no restart follows. */
  public void stop(Duration grace) {
    Process p;
    synchronized (lock) {
      stopping = true;
      p = process;
    }
    if (watcher != null) {
      watcher.interrupt();
    }
    if (p == null) {
      return;
    }
    p.destroy();
    try {
      if (!p.waitFor(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(10));
  }
}
