package dev.palisade.cli;

import dev.palisade.lab.daemon.LabState;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code palisade lab kill controller | agent N}: SIGKILL to one of the lab's Palisade processes,
 * for trying what Palisade does then; the lab restarts it as kubelet would. Only a child of the
 * running lab process is killed, so a stale processes file never makes it kill a stranger.
 */
@Command(name = "kill", description = "SIGKILL a Palisade process of the lab (the lab restarts it, as kubelet would).")
final class LabKillCommand implements Callable<Integer> {
  @picocli.CommandLine.Parameters(index = "0", description = "controller or agent")
  String what;

  @picocli.CommandLine.Parameters(index = "1", arity = "0..1", description = "the agent's node index (0, 1, ...)")
  Integer node;

  @Override
  public Integer call() throws Exception {
    Optional<LabState> running = LabCommand.runningLab();
    if (running.isEmpty()) {
      return 2;
    }
    LabState state = running.get();
    String name;
    if (what.equals("controller") && node == null) {
      name = "controller";
    } else if (what.equals("agent") && node != null) {
      name = "agent-" + node;
    } else {
      System.err.println("palisade lab: kill controller | kill agent NODE, not " + what + (node == null ? "" : " " + node));
      return 2;
    }
    for (String[] p : LabCommand.rows(state.processesFile())) {
      if (p[0].equals(name)) {
        if (p[1].equals("-")) {
          System.err.println("palisade lab: " + name + " is not running now (restarting); see `palisade lab status`");
          return 1;
        }
        long pid = Long.parseLong(p[1]);
        // only a child of the lab process: a stale file must not make us kill a stranger
        Optional<ProcessHandle> h = ProcessHandle.of(pid).filter(x -> x.parent().map(ProcessHandle::pid)
            .equals(state.pid()));
        if (h.isEmpty()) {
          System.err.println("palisade lab: pid " + pid + " is no longer the lab's " + name + "; try again");
          return 1;
        }
        new ProcessBuilder("kill", "-KILL", Long.toString(pid)).inheritIO().start().waitFor();
        System.out.println("killed " + name + " (pid " + pid + ") with SIGKILL; the lab restarts it");
        return 0;
      }
    }
    System.err.println("palisade lab: this lab runs no " + name + (state.info().getProperty("controller") == null
        ? " (started with --no-palisade)" : ""));
    return 2;
  }
}
