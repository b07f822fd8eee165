package dev.palisade.cli;

import dev.palisade.lab.daemon.LabServer;
import dev.palisade.lab.daemon.LabState;
import dev.palisade.lab.net.LabNetwork;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code palisade lab up|status|probe|down} (and the hidden {@code serve}, the background process
 * {@code up} starts). A lab keeps its state in {@link LabState#defaultDir()}; a lab killed with
 * -9 leaves namespaces behind, which the next {@code up} or {@code down} reaps.
 */
@Command(name = "lab", description = "A whole cluster on this machine: API server, nodes and pods as namespaces.",
    subcommands = {LabCommand.Up.class, LabCommand.Serve.class, LabStatusCommand.class, LabProbeCommand.class,
        LabKillCommand.class, LabCommand.Down.class, LabPodCommands.Logs.class, LabPodCommands.Exec.class,
        LabPodCommands.Cron.class})
final class LabCommand implements Runnable {
  static final String DEFAULT_ID = "lab";

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "up", description = "Start a lab in the background and wait until its pods run.")
  static final class Up implements Callable<Integer> {
    @Option(names = "--nodes", defaultValue = "1", description = "lab nodes (default 1)")
    int nodes;

    @Option(names = {"-f", "--file"}, description = "manifests to apply (multi-document YAML)")
    List<Path> files = new ArrayList<>();

    @Option(names = "--timeout", defaultValue = "300", description = "seconds to wait for pods (default 300)")
    int timeoutSeconds;

    @Option(names = "--no-palisade", description = "a bare lab: no Palisade controller and agents")
    boolean noPalisade;

    @Override
    public Integer call() throws Exception {
      LabState state = LabState.defaultDir();
      Optional<ProcessHandle> live = state.liveProcess();
      if (live.isPresent()) {
        System.err.println("palisade lab: a lab is already running (pid " + live.get().pid() + "); `palisade lab down` first");
        return 1;
      }
      if (nodes < 1 || nodes > 50) {
        System.err.println("palisade lab: --nodes must be 1..50, not " + nodes);
        return 2;
      }
      for (Path f : files) {
        if (!Files.isReadable(f)) {
          System.err.println("palisade lab: cannot read manifest " + f);
          return 2;
        }
      }
      int reaped = LabNetwork.reap(DEFAULT_ID);
      if (reaped > 0) {
        System.out.println("reaped " + reaped + " namespaces left by an earlier lab");
      }
      deleteTree(state.dir());
      Files.createDirectories(state.dir());
      List<String> cmd = new ArrayList<>(List.of("setsid", javaBinary()));
      cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-cp", ownJar(), Main.class.getName(), "lab", "serve",
          "--nodes", Integer.toString(nodes), "--timeout", Integer.toString(timeoutSeconds)));
      if (noPalisade) {
        cmd.add("--no-palisade");
      }
      for (Path f : files) {
        cmd.add("-f");
        cmd.add(f.toAbsolutePath().toString());
      }
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(state.logFile().toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .start();
      long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds + 30L).toNanos();
      Progress bar = new Progress(System.out);
      while (!Files.exists(state.readyFile())) {
        if (!p.isAlive()) {
          bar.done();
          System.err.println("palisade lab: the lab process exited (" + p.exitValue() + "); its log:");
          System.err.println(tail(state.logFile(), 30));
          LabNetwork.reap(DEFAULT_ID);
          return 1;
        }
        if (System.nanoTime() > deadline) {
          bar.done();
          System.err.println("palisade lab: pods did not come up in time; see " + state.logFile()
              + " (`palisade lab down` stops it)");
          return 1;
        }
        readProgress(state).ifPresent(rd -> bar.show(rd[0], rd[1]));
        Thread.sleep(200);
      }
      readProgress(state).ifPresent(rd -> bar.show(rd[0], rd[1]));
      bar.done();
      System.out.println("lab up: " + nodes + " node(s), pid " + p.pid());
      System.out.println("  kubectl --kubeconfig " + state.kubeconfig() + " get pods -A -o wide");
      var info = state.info();
      String controller = info.getProperty("controller");
      if (controller != null) {
        String ca = info.getProperty("ca");
        new CliContext(controller, Path.of(info.getProperty("approverTokenFile")), ca == null ? null : Path.of(ca))
            .write();
        System.out.println("Palisade is learning. Review page: " + controller + "/");
        if (ca != null) {
          System.out.println("  CA: " + ca + "  (PALISADE_CA for the CLI elsewhere; trust it in a browser, or accept "
              + "the warning)");
        }
        System.out.println("  approver token: " + info.getProperty("approverToken"));
        System.out.println("  viewer token:   " + info.getProperty("viewerToken"));
        System.out.println("  palisade graph show | approve | reject | mode set | policy export | audit"
            + " (context: " + CliContext.file() + ")");
      }
      System.out.println("  palisade lab status | probe | kill | down");
      return 0;
    }
  }

  /**
   * The running lab's state, or empty after telling the user there is none: a lab process alive and
   * its kubeconfig written (what every command that acts on a lab needs).
   */
  static Optional<LabState> runningLab() {
    LabState state = LabState.defaultDir();
    if (state.liveProcess().isEmpty() || !Files.exists(state.kubeconfig())) {
      System.err.println("palisade lab: no lab is running; `palisade lab up` first");
      return Optional.empty();
    }
    return Optional.of(state);
  }

  static Optional<long[]> readProgress(LabState state) {
    try {
      String[] parts = Files.readString(state.progressFile()).strip().split(" ");
      return Optional.of(new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])});
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  @Command(name = "serve", hidden = true, description = "Run a lab in the foreground (what `lab up` starts).")
  static final class Serve implements Callable<Integer> {
    @Option(names = "--nodes", defaultValue = "1")
    int nodes;

    @Option(names = {"-f", "--file"})
    List<Path> files = new ArrayList<>();

    @Option(names = "--timeout", defaultValue = "300")
    int timeoutSeconds;

    @Option(names = "--no-palisade")
    boolean noPalisade;

    @Override
    public Integer call() throws Exception {
      List<String> launcher = noPalisade ? List.of() : launcher();
      new LabServer(LabState.defaultDir(), DEFAULT_ID, nodes, files, launcher).serve(Duration.ofSeconds(timeoutSeconds));
      return 0;
    }
  }


  /** Palisade's processes as `lab status` lists them, with each one's /metrics URL; empty without any. */
  static String processTable(List<String[]> procs) {
    if (procs.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder(String.format("%-12s %-8s %-8s %-36s %s%n", "PROCESS", "PID", "RESTARTS",
        "METRICS", "LAST EXIT"));
    for (String[] p : procs) {
      out.append(String.format("%-12s %-8s %-8s %-36s %s%n", p[0], p[1], p[2], p.length > 4 ? p[4] : "-", p[3]));
    }
    return out.toString();
  }

  static List<String[]> pods(LabState state) throws IOException {
    return rows(state.podsFile());
  }

  /** The tab-separated rows of a file the lab publishes; none while it is not written yet. */
  static List<String[]> rows(Path file) throws IOException {
    if (!Files.exists(file)) {
      return List.of();
    }
    List<String[]> out = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      if (!line.isBlank()) {
        out.add(line.split("\t"));
      }
    }
    return out;
  }


  @Command(name = "down", description = "Stop the lab and remove every namespace it made.")
  static final class Down implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      LabState state = LabState.defaultDir();
      Optional<ProcessHandle> live = state.liveProcess();
      try {
        Optional.ofNullable(state.info().getProperty("controller")).ifPresent(CliContext::removeIfFor);
      } catch (IllegalStateException e) {
        // no info: nothing to forget
      }
      if (live.isPresent()) {
        ProcessHandle h = live.get();
        h.destroy(); // SIGTERM: the lab closes its namespaces in a shutdown hook
        try {
          h.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          h.destroyForcibly();
        }
        System.out.println("stopped lab pid " + h.pid());
      } else {
        System.out.println("no lab process was running");
      }
      int reaped = LabNetwork.reap(DEFAULT_ID);
      if (reaped > 0) {
        System.out.println("removed " + reaped + " leftover namespace(s)");
      }
      deleteTree(state.dir());
      return 0;
    }
  }

  /** The command that runs this CLI again, for the lab's controller and agent processes. */
  static List<String> launcher() {
    return List.of(javaBinary(), "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
        Main.class.getName());
  }

  static String javaBinary() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  static String ownJar() {
    try {
      return Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log at " + file + ")";
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
