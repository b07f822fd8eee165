package dev.palisade.cli;

import dev.palisade.lab.daemon.LabState;
import dev.palisade.lab.net.LabNetwork;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code palisade lab status}: what the running lab published about its nodes, Palisade processes and pods. */
@Command(name = "status", description = "Nodes, Palisade processes (pid, restarts, metrics URL), the controller URL and pods of the running lab.")
final class LabStatusCommand implements Callable<Integer> {
  @Override
  public Integer call() throws Exception {
    LabState state = LabState.defaultDir();
    if (state.liveProcess().isEmpty()) {
      System.out.println("no lab is running" + (LabNetwork.reap(LabCommand.DEFAULT_ID) > 0 ? " (reaped leftovers)" : ""));
      return 1;
    }
    var info = state.info();
    System.out.println("lab " + info.getProperty("id") + ": " + info.getProperty("nodes") + " node(s), API "
        + info.getProperty("api") + ", pid " + state.pid().orElse(-1L));
    System.out.println("kubeconfig: " + state.kubeconfig());
    if (info.getProperty("controller") != null) {
      System.out.println("controller: " + info.getProperty("controller") + "/ (review page and API)");
    }
    List<String[]> nodes = LabCommand.rows(state.nodesFile());
    System.out.printf("%-12s %-20s %s%n", "NODE", "NETNS", "ADDRESS");
    for (String[] n : nodes) {
      System.out.printf("%-12s %-20s %s%n", n[0], n[1], n[2]);
    }
    System.out.print(LabCommand.processTable(LabCommand.rows(state.processesFile())));
    List<String[]> pods = LabCommand.pods(state);
    System.out.printf("%-40s %-5s %-16s %s%n", "POD", "NODE", "IP", "NETNS");
    for (String[] p : pods) {
      System.out.printf("%-40s %-5s %-16s %s%n", p[0], p[1], p[2], p[3]);
    }
    System.out.println(pods.size() + " pod(s) running" + (Files.exists(state.readyFile()) ? "" : " (still starting)"));
    return 0;
  }
}
