package dev.palisade.lab.daemon;

import dev.palisade.lab.cluster.Lab;
import dev.palisade.lab.net.LabNetwork;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * The process behind {@code palisade lab up}: runs a {@link Lab} until told to stop (SIGTERM
 * from {@code lab down}), and publishes in its {@link LabState} directory what other commands
 * need: kubeconfig, API URL, progress while pods come up, and the running pods with their
 * network namespaces (so {@code lab probe} can dial from a pod without asking this process).
 */
public final class LabServer {
  private final LabState state;
  private final String id;
  private final int nodes;
  private final List<Path> manifests;
  private final List<String> launcher;
  private volatile PalisadeProcesses palisade;

  /**
   * @param launcher the command that runs {@code palisade} (java ... Main), with which the lab starts
   *     Palisade's controller and agents as processes; empty for a bare lab
   */
  public LabServer(LabState state, String id, int nodes, List<Path> manifests, List<String> launcher) {
    this.state = state;
    this.id = id;
    this.nodes = nodes;
    this.manifests = manifests;
    this.launcher = List.copyOf(launcher);
  }

  /** Runs until the process is terminated; returns only on a failed start. */
  public void serve(Duration readyTimeout) throws IOException, InterruptedException {
    Files.createDirectories(state.dir());
    write(state.pidFile(), Long.toString(ProcessHandle.current().pid()));
    CountDownLatch stopped = new CountDownLatch(1);
    Lab lab = Lab.startBare(id, nodes);
    lab.network().programs().logTo(state.podLogDir()); // where `palisade lab logs` finds them
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        if (palisade != null) {
          palisade.close();
        }
        lab.close();
      } finally {
        try {
          Files.deleteIfExists(state.readyFile());
          Files.deleteIfExists(state.pidFile());
        } catch (IOException ignored) {
          // lab down removes the directory anyway
        }
        stopped.countDown();
      }
    }, "lab-shutdown"));
    lab.api().writeKubeconfig(state.kubeconfig());
    Properties info = new Properties();
    info.setProperty("id", id);
    info.setProperty("nodes", Integer.toString(nodes));
    info.setProperty("api", lab.api().url());
    info.setProperty("kubeconfig", state.kubeconfig().toString());
    if (!launcher.isEmpty()) {
      palisade = PalisadeProcesses.start(lab, launcher, state.dir().resolve("palisade"),
          LabTokens.of(lab.api()), readyTimeout);
      info.setProperty("controller", palisade.url());
      info.setProperty("ca", palisade.caFile().toString());
      info.setProperty("approverTokenFile", palisade.approverTokenFile().toString());
      info.setProperty("approverToken", palisade.approverToken());
      info.setProperty("viewerToken", palisade.viewerToken());
    }
    writeInfo(info);
    for (Path m : manifests) {
      lab.apply(Files.readString(m));
    }
    Thread publisher = new Thread(() -> publishLoop(lab), "lab-publisher");
    publisher.setDaemon(true);
    publisher.start();
    lab.awaitReady(readyTimeout);
    publish(lab);
    write(state.readyFile(), "ready\n");
    stopped.await();
  }

  private void writeInfo(Properties info) throws IOException {
    Path tmp = state.infoFile().resolveSibling("info.tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"))); // it holds tokens
    try (var out = Files.newOutputStream(tmp)) {
      info.store(out, "palisade lab");
    }
    Files.move(tmp, state.infoFile(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private void publishLoop(Lab lab) {
    while (true) {
      try {
        publish(lab);
        Thread.sleep(300);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException | IOException e) {
        // the API server is going away at shutdown; the next round (if any) retries
        try {
          Thread.sleep(300);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  private void publish(Lab lab) throws IOException {
    List<LabNetwork.Pod> pods = new ArrayList<>(lab.network().pods());
    pods.sort(Comparator.comparing(LabNetwork.Pod::key));
    StringBuilder sb = new StringBuilder();
    for (LabNetwork.Pod p : pods) {
      sb.append(p.key()).append('\t').append(p.node()).append('\t').append(p.ip()).append('\t')
          .append(p.ns().name()).append('\n');
    }
    write(state.podsFile(), sb.toString());
    StringBuilder nodesTsv = new StringBuilder();
    for (LabNetwork.Node n : lab.network().nodes()) {
      nodesTsv.append("lab-node-").append(n.index()).append('\t').append(n.ns().name()).append('\t')
          .append(n.uplinkIp()).append('\n');
    }
    write(state.nodesFile(), nodesTsv.toString());
    PalisadeProcesses p = palisade;
    write(state.processesFile(), p == null ? "" : processRows(p));
    write(state.progressFile(), running(lab.client()) + " " + desired(lab.client(), nodes) + "\n");
  }

  /** {@link LabState#processesFile()}'s text: what `lab status` lists of Palisade's processes. */
  public static String processRows(PalisadeProcesses p) {
    StringBuilder procs = new StringBuilder();
    for (SupervisedProcess sp : p.processes()) {
      procs.append(sp.name()).append('\t').append(sp.pid().map(String::valueOf).orElse("-")).append('\t')
          .append(sp.restarts()).append('\t').append(sp.lastExit().isEmpty() ? "-" : sp.lastExit()).append('\t')
          .append(p.metricsUrl(sp.name()).isEmpty() ? "-" : p.metricsUrl(sp.name())).append('\n');
    }
    return procs.toString();
  }

  static long running(KubernetesClient c) {
    return c.pods().inAnyNamespace().list().getItems().stream()
        .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase())
            && p.getStatus().getPodIP() != null)
        .count();
  }

  /** How many pods the workloads ask for, as the controllers will make them. */
  static long desired(KubernetesClient c, int nodes) {
    long n = 0;
    for (Deployment d : c.apps().deployments().inAnyNamespace().list().getItems()) {
      n += d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    }
    for (StatefulSet s : c.apps().statefulSets().inAnyNamespace().list().getItems()) {
      n += s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
    }
    n += (long) c.apps().daemonSets().inAnyNamespace().list().getItems().size() * nodes;
    for (Job j : c.batch().v1().jobs().inAnyNamespace().list().getItems()) {
      n += j.getSpec().getParallelism() == null ? 1 : j.getSpec().getParallelism();
    }
    for (Pod p : c.pods().inAnyNamespace().list().getItems()) {
      if (p.getMetadata().getOwnerReferences() == null || p.getMetadata().getOwnerReferences().isEmpty()) {
        n++;
      }
    }
    return n;
  }

  /** Writes atomically, so readers never see half a file. */
  static void write(Path file, String text) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

}
