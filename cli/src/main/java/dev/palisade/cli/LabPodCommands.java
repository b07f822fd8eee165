package dev.palisade.cli;

import dev.palisade.lab.daemon.LabState;
import dev.palisade.lab.kube.CronJobTemplates;
import dev.palisade.lab.net.PodPrograms;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code palisade lab logs | exec | cron run}: what kubectl logs, kubectl exec and kubectl create
 * job --from=cronjob do, for the lab's pods whose containers run programs. They read what the lab
 * publishes in its {@link LabState} directory (the pods' network namespaces in pods.tsv, the logs
 * under {@link LabState#podLogDir()}) and do not ask the lab process; {@code cron run} writes a
 * Job through the lab's API server.
 */
final class LabPodCommands {
  private LabPodCommands() {}

  /** {namespace, name} of "NS/POD"; null if it is not that shape. */
  static String[] split(String nsName) {
    String[] parts = nsName.split("/");
    return parts.length == 2 && !parts[0].isEmpty() && !parts[1].isEmpty() ? parts : null;
  }

  @Command(name = "logs", description = "Print the log of a pod's container that runs a program.")
  static final class Logs implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NS/POD")
    String pod;

    @Option(names = {"-c", "--container"}, description = "the container (needed when the pod runs several programs)")
    String container;

    @Option(names = {"-f", "--follow"}, description = "keep printing what the program writes until interrupted")
    boolean follow;

    @Override
    public Integer call() throws Exception {
      String[] key = split(pod);
      if (key == null) {
        System.err.println("palisade lab: logs NS/POD, not " + pod);
        return 2;
      }
      Path root = LabState.defaultDir().podLogDir();
      Path dir = root.resolve(key[0]).resolve(key[1]);
      List<String> containers = new ArrayList<>();
      if (Files.isDirectory(dir)) {
        try (Stream<Path> s = Files.list(dir)) {
          s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".log"))
              .map(n -> n.substring(0, n.length() - 4)).sorted().forEach(containers::add);
        }
      }
      if (containers.isEmpty()) {
        System.err.println("palisade lab: pod " + pod + " has no logs: only containers with a command run programs"
            + " (the others are the lab's echo server); is the pod name right? (see `palisade lab status`)");
        return 1;
      }
      String c = container;
      if (c == null) {
        if (containers.size() > 1) {
          System.err.println("palisade lab: pod " + pod + " runs several programs; choose one with -c: " + containers);
          return 2;
        }
        c = containers.get(0);
      } else if (!containers.contains(c)) {
        System.err.println("palisade lab: pod " + pod + " has no program in container " + c + "; it has " + containers);
        return 2;
      }
      Path log = PodPrograms.logFile(root, key[0], key[1], c);
      try (InputStream in = Files.newInputStream(log)) {
        in.transferTo(System.out);
        System.out.flush();
        while (follow) { // tail -f: the lab appends, across restarts
          byte[] more = in.readAllBytes();
          if (more.length > 0) {
            System.out.write(more);
            System.out.flush();
          } else {
            Thread.sleep(200);
          }
        }
      }
      return 0;
    }
  }

  @Command(name = "exec", description = "Run a command inside a pod's network namespace: lab exec NS/POD -- CMD ARGS...")
  static final class Exec implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NS/POD")
    String pod;

    @Parameters(index = "1..*", paramLabel = "CMD", description = "the command and its arguments (after --)")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
      Optional<LabState> running = LabCommand.runningLab();
      if (running.isEmpty()) {
        return 2;
      }
      LabState state = running.get();
      if (split(pod) == null || command.isEmpty()) {
        System.err.println("palisade lab: exec NS/POD -- CMD ARGS..., not " + pod + " " + String.join(" ", command));
        return 2;
      }
      String netns = null;
      for (String[] row : LabCommand.pods(state)) {
        if (row[0].equals(pod) && row.length > 3) {
          netns = row[3];
        }
      }
      if (netns == null) {
        System.err.println("palisade lab: no running pod " + pod + " (see `palisade lab status`)");
        return 2;
      }
      List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns));
      cmd.addAll(command);
      try {
        return new ProcessBuilder(cmd).inheritIO().start().waitFor();
      } catch (IOException e) {
        System.err.println("palisade lab: cannot run " + String.join(" ", cmd) + ": " + e.getMessage());
        return 1;
      }
    }
  }

  @Command(name = "cron", description = "CronJobs of the lab: cron run NS/NAME makes a Job from one now.",
      subcommands = {Cron.Run.class})
  static final class Cron implements Runnable {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().usage(System.out);
    }

    @Command(name = "run", description = "Create a Job from a CronJob now (as kubectl create job --from=cronjob/NAME).")
    static final class Run implements Callable<Integer> {
      @Parameters(index = "0", paramLabel = "NS/NAME")
      String cronJob;

      @Option(names = "--name", description = "the Job's name (default NAME-manual-xxxxx)")
      String name;

      @Override
      public Integer call() throws Exception {
        String[] key = split(cronJob);
        if (key == null) {
          System.err.println("palisade lab: cron run NS/NAME, not " + cronJob);
          return 2;
        }
        Optional<LabState> running = LabCommand.runningLab();
        if (running.isEmpty()) {
          return 2;
        }
        LabState state = running.get();
        Config config = Config.fromKubeconfig(Files.readString(state.kubeconfig()));
        try (KubernetesClient c = new KubernetesClientBuilder().withConfig(config).build()) {
          CronJob cj = c.batch().v1().cronjobs().inNamespace(key[0]).withName(key[1]).get();
          if (cj == null) {
            System.err.println("palisade lab: no CronJob " + cronJob);
            return 1;
          }
          String jobName = name != null ? name : key[1] + "-manual-" + randomSuffix();
          Job job = c.batch().v1().jobs().inNamespace(key[0]).resource(CronJobTemplates.manual(cj, jobName)).create();
          System.out.println("job.batch/" + job.getMetadata().getName() + " created");
          return 0;
        } catch (IllegalArgumentException e) {
          System.err.println("palisade lab: " + e.getMessage());
          return 1;
        }
      }
    }
  }

  /** Five characters of the alphabet Kubernetes uses for generated names (no vowels, no look-alikes). */
  static String randomSuffix() {
    String alphabet = "bcdfghjklmnpqrstvwxz2456789";
    SecureRandom r = new SecureRandom();
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      s.append(alphabet.charAt(r.nextInt(alphabet.length())));
    }
    return s.toString();
  }
}
