package dev.palisade.lab.net;

import dev.palisade.kernel.netns.Commands;
import dev.palisade.lab.net.ProgramStatus.State;
import dev.palisade.lab.net.ProgramStatus.Termination;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's kubelet for one container that runs a program: starts it inside the pod's network
 * namespace ({@code setsid ip netns exec POD argv...}, so the program and whatever it forks form
 * one session that can be signalled as a whole), appends its stdout and stderr to the container's
 * log, and when it exits restarts it as the pod's restartPolicy says, after a back-off that
 * doubles from 1 s to 30 s ({@link RestartBackoff}, as for Palisade's own processes).
 * A program that cannot start (not found, working directory missing) is a failed run with reason
 * StartError, shown as waiting with RunContainerError, not an exception: the lab keeps going.
 *
 * <p>Thread contract: one watcher thread per program waits for exits and restarts; {@link #status()}
 * and {@link #stop()} may be called from any thread. {@code onChange} runs on the watcher thread
 * and must only ask for the pod's status to be written again.
 */
final class ProgramSupervisor {
  private static final Logger LOG = LoggerFactory.getLogger(ProgramSupervisor.class);

  private final String pod;
  private final String netns;
  private final Program program;
  private final Path workDir;
  private final Path log;
  private final Runnable onChange;
  private final Object lock = new Object();
  private Process process;
  private ProgramStatus status;
  private boolean stopping;
  private Thread watcher;

  /**
   * @param pod namespace/name, for messages
   * @param workDir the program's working directory (the container's, or the pod's temporary one)
   */
  ProgramSupervisor(String pod, String netns, Program program, Path workDir, Path log, Runnable onChange) {
    this.pod = pod;
    this.netns = netns;
    this.program = program;
    this.workDir = workDir;
    this.log = log;
    this.onChange = onChange;
    this.status = new ProgramStatus(program.container(), State.WAITING, "ContainerCreating", null, null, null, null, 0);
  }

  Program program() {
    return program;
  }

  Path log() {
    return log;
  }

  ProgramStatus status() {
    synchronized (lock) {
      return status;
    }
  }

  /** The program's pid while it runs (the leader of its session). */
  java.util.Optional<Long> pid() {
    synchronized (lock) {
      return process != null && process.isAlive() ? java.util.Optional.of(process.pid()) : java.util.Optional.empty();
    }
  }

  /** Starts the first run now (so the pod's first status already says Running) and the watcher. */
  void start() {
    try {
      Files.createDirectories(log.getParent());
      Files.writeString(log, ""); // a new pod of an old name starts a new log
    } catch (IOException e) {
      throw new IllegalStateException("cannot create the log " + log + " of " + pod + ": " + e.getMessage(), e);
    }
    Run first = launch();
    watcher = new Thread(() -> watch(first), "program-" + pod + "-" + program.container());
    watcher.setDaemon(true);
    watcher.start();
  }

  /** One run: a started process, or why it could not start. */
  private record Run(Process process, String startError, Instant startedAt, long startedNanos) {}

  private Run launch() {
    Instant now = now();
    String error = preflight();
    Process p = null;
    if (error == null) {
      List<String> cmd = new ArrayList<>(List.of("setsid", "ip", "netns", "exec", netns));
      cmd.addAll(program.argv());
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      // The host's PATH and HOME (there is no image to bring its own), then the container's env.
      var env = pb.environment();
      String path = env.get("PATH");
      String home = env.get("HOME");
      env.clear();
      env.put("PATH", path == null ? "/usr/local/bin:/usr/bin:/bin" : path);
      if (home != null) {
        env.put("HOME", home);
      }
      env.put("HOSTNAME", pod.substring(pod.indexOf('/') + 1));
      env.putAll(program.env());
      try {
        p = pb.start();
      } catch (IOException e) {
        error = "failed to start container process: " + e.getMessage();
      }
    }
    synchronized (lock) {
      process = p;
      if (p != null && !stopping) {
        status = new ProgramStatus(program.container(), State.RUNNING, null, null, now, null, status.lastTerminated(),
            status.restartCount());
      } else if (!stopping) { // say why at once; the watcher then decides on a restart
        status = new ProgramStatus(program.container(), State.WAITING, "RunContainerError", error, null, null,
            status.lastTerminated(), status.restartCount());
      }
    }
    if (p != null) {
      LOG.info("{} container {} started, pid {}", pod, program.container(), p.pid());
    } else {
      LOG.warn("{} container {} cannot start: {}", pod, program.container(), error);
    }
    return new Run(p, error, now, System.nanoTime());
  }

  /** Why the program cannot start, found before starting it (as runc finds it), or null. */
  private String preflight() {
    if (!Files.isDirectory(workDir)) {
      return "failed to start container process: chdir to cwd (\"" + workDir + "\"): no such file or directory";
    }
    String exe = program.argv().get(0);
    if (exe.contains("/")) {
      Path p = workDir.resolve(exe);
      return Files.isExecutable(p) && !Files.isDirectory(p) ? null
          : "failed to start container process: exec: \"" + exe + "\": stat " + p + ": no such file or directory";
    }
    String path = program.env().getOrDefault("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    for (String dir : path.split(":")) {
      Path p = Path.of(dir.isEmpty() ? "." : dir).resolve(exe);
      if (Files.isExecutable(p) && !Files.isDirectory(p)) {
        return null;
      }
    }
    return "failed to start container process: exec: \"" + exe + "\": executable file not found in $PATH";
  }

  private void watch(Run run) {
    RestartBackoff backoffs = new RestartBackoff();
    onChange.run();
    while (true) {
      Termination end;
      if (run.process() == null) {
        end = new Termination(128, "StartError", run.startError(), run.startedAt(), run.startedAt());
      } else {
        int code;
        try {
          code = run.process().waitFor();
        } catch (InterruptedException e) {
          return; // stopped
        }
        end = new Termination(code, code == 0 ? "Completed" : "Error", null, run.startedAt(), now());
      }
      boolean again = program.restart().restarts(end.exitCode());
      Duration backoff = backoffs.after(Duration.ofNanos(System.nanoTime() - run.startedNanos()));
      synchronized (lock) {
        if (stopping) {
          return;
        }
        if (again) {
          String reason = run.process() == null ? "RunContainerError" : "CrashLoopBackOff";
          String message = run.process() == null ? run.startError()
              : "back-off " + backoff.toSeconds() + "s restarting failed container=" + program.container()
                  + " pod=" + pod;
          status = new ProgramStatus(program.container(), State.WAITING, reason, message, null, null, end,
              status.restartCount());
        } else {
          status = new ProgramStatus(program.container(), State.TERMINATED, null, null, null, end,
              status.lastTerminated(), status.restartCount());
        }
      }
      LOG.info("{} container {} ended: exit code {} ({}){}", pod, program.container(), end.exitCode(), end.reason(),
          again ? ", restarting in " + backoff.toMillis() + " ms" : "");
      onChange.run();
      if (!again) {
        return;
      }
      try {
        Thread.sleep(backoff.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      synchronized (lock) {
        if (stopping) {
          return;
        }
        status = new ProgramStatus(program.container(), status.state(), status.reason(), status.message(), null, null,
            status.lastTerminated(), status.restartCount() + 1);
      }
      run = launch();
      onChange.run();
    }
  }

  /**
   * SIGTERM to the program's session, SIGKILL after the grace period, as kubelet stops a container;
   * no restart follows. Whatever the program forked into its session goes with it.
   */
  void stop() {
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
    String group = "-" + p.pid();
    if (!p.isAlive()) {
      return; // what it left behind in the namespace goes when the pod's namespace is emptied
    }
    Commands.runAllowingFailure("kill", "-TERM", "--", group);
    try {
      if (!p.waitFor(program.grace().toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.info("{} container {} did not stop in {}; SIGKILL", pod, program.container(), program.grace());
      }
      // SIGKILL the session even if the program exited: a shell's children may outlive it.
      Commands.runAllowingFailure("kill", "-KILL", "--", group);
      p.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS);
  }
}
