package dev.palisade.lab.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.kernel.netns.Commands;
import dev.palisade.kernel.netns.NetNs;
import dev.palisade.lab.kube.CronJobTemplates;
import dev.palisade.lab.net.LabNetwork;
import dev.palisade.lab.net.NamespaceProcesses;
import dev.palisade.lab.net.PodPrograms;
import dev.palisade.testkit.KernelTest;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pods whose containers have a command run it as a real program inside their network namespace:
 * an HTTP server answers from another pod, logs its requests, is restarted when killed, and goes
 * with the lab; a CronJob's Job runs a shell to completion; a missing program is a container
 * status, and a lab killed with -9 leaves no program behind its reaper.
 */
@KernelTest
class PodProgramsIT {
  private static final String ID = "pp" + ProcessHandle.current().pid() % 100000;
  private static final Duration READY = Duration.ofSeconds(60);

  @TempDir Path logs;

  @AfterEach
  void nothingLeftBehind() {
    LabNetwork.reap(ID);
    assertEquals(List.of(), NetNs.list(NetNs.PREFIX + ID + "-"));
  }

  private Lab start() {
    Lab lab = Lab.startBare(ID, 1);
    lab.network().programs().logTo(logs);
    return lab;
  }

  private static final String WEB = """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web, namespace: shop}
      spec:
        replicas: 1
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            containers:
            - name: http
              image: python:3
              command: [python3, -m, http.server, "$(PORT)"]
              env:
              - {name: PORT, value: "8000"}
              - name: POD_NAME
                valueFrom: {fieldRef: {fieldPath: metadata.name}}
              ports: [{containerPort: 8000}]
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: client, namespace: shop}
      spec:
        replicas: 1
        selector: {matchLabels: {app: client}}
        template:
          metadata: {labels: {app: client}}
          spec:
            containers: [{name: echo, image: palisade/echo, ports: [{containerPort: 80}]}]
      """;

  private static Pod pod(Lab lab, String app) {
    return lab.client().pods().inNamespace("shop").withLabel("app", app).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null).findFirst()
        .orElseThrow(() -> new AssertionError("no pod of " + app));
  }

  /** An HTTP GET from inside the client pod's namespace, with python3 as a user would run it. */
  private static String get(Lab lab, String url) {
    String ns = lab.network().pod("shop/" + pod(lab, "client").getMetadata().getName()).ns().name();
    Commands.Result r = Commands.runAllowingFailure("ip", "netns", "exec", ns, "python3", "-c",
        "import urllib.request,sys\n"
            + "try:\n print(urllib.request.urlopen(sys.argv[1], timeout=3).status)\n"
            + "except Exception as e:\n print('error', e)", url);
    return r.stdout().strip();
  }

  private static <T> T await(String what, Duration timeout, Supplier<Optional<T>> check) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Optional<T> v = check.get();
      if (v.isPresent()) {
        return v.get();
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(100);
    }
  }

  @Test
  void aDeploymentsHttpServerAnswersFromAnotherPodLogsRestartsAndGoesWithTheLab() throws Exception {
    long serverPid;
    String podNs;
    try (Lab lab = start()) {
      lab.apply(WEB);
      lab.awaitReady(READY);
      Pod web = pod(lab, "web");
      String key = "shop/" + web.getMetadata().getName();
      String url = "http://" + web.getStatus().getPodIP() + ":8000/";
      assertEquals("200", await("the server to answer", Duration.ofSeconds(20),
          () -> Optional.of(get(lab, url)).filter("200"::equals)));

      Path log = PodPrograms.logFile(logs, "shop", web.getMetadata().getName(), "http");
      String logged = await("the request log line", Duration.ofSeconds(10), () -> {
        try {
          return Optional.of(Files.readString(log)).filter(s -> s.contains("\"GET / HTTP/1.1\" 200"));
        } catch (java.io.IOException e) {
          return Optional.empty();
        }
      });
      assertTrue(logged.contains(pod(lab, "client").getStatus().getPodIP()), "the client's IP is logged: " + logged);

      serverPid = lab.network().programs().pids(key).get(0);
      podNs = lab.network().pod(key).ns().name();
      assertEquals(List.of(serverPid), NamespaceProcesses.in(List.of(podNs)), "the server runs inside the pod");
      ContainerStatus before = web.getStatus().getContainerStatuses().get(0);
      assertEquals(0, before.getRestartCount());
      assertTrue(before.getReady());

      ProcessHandle.of(serverPid).orElseThrow().destroyForcibly();
      ContainerStatus after = await("the restart", Duration.ofSeconds(20), () -> Optional.of(
          pod(lab, "web").getStatus().getContainerStatuses().get(0)).filter(c -> c.getRestartCount() == 1
              && c.getState().getRunning() != null));
      assertEquals(137, after.getLastState().getTerminated().getExitCode(), "SIGKILL");
      assertEquals("Error", after.getLastState().getTerminated().getReason());
      long newPid = lab.network().programs().pids(key).get(0);
      assertTrue(newPid != serverPid);
      assertEquals("200", await("the restarted server to answer", Duration.ofSeconds(20),
          () -> Optional.of(get(lab, url)).filter("200"::equals)));
      serverPid = newPid;
    }
    assertFalse(ProcessHandle.of(serverPid).map(ProcessHandle::isAlive).orElse(false), "the server stopped with the lab");
    assertEquals(List.of(), NetNs.list(NetNs.PREFIX + ID + "-"));
  }

  private static final String CRON = """
      apiVersion: batch/v1
      kind: CronJob
      metadata: {name: hello, namespace: shop}
      spec:
        schedule: "0 3 * * *"
        jobTemplate:
          spec:
            template:
              spec:
                restartPolicy: OnFailure
                containers:
                - {name: say, image: busybox, command: [sh, -c, "echo hello from $(POD)"],
                   env: [{name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]}
      """;

  @Test
  void aCronJobRunByHandMakesAJobWhosePodRunsAndSucceeds() throws Exception {
    try (Lab lab = start()) {
      lab.apply(CRON);
      CronJob cj = lab.client().batch().v1().cronjobs().inNamespace("shop").withName("hello").get();
      lab.client().batch().v1().jobs().inNamespace("shop").resource(CronJobTemplates.manual(cj, "hello-manual-1"))
          .create();
      Job done = await("the Job to complete", Duration.ofSeconds(30), () -> Optional.ofNullable(
          lab.client().batch().v1().jobs().inNamespace("shop").withName("hello-manual-1").get())
          .filter(j -> j.getStatus() != null && j.getStatus().getConditions() != null && j.getStatus().getConditions()
              .stream().anyMatch(c -> c.getType().equals("Complete") && c.getStatus().equals("True"))));
      assertEquals(1, done.getStatus().getSucceeded());
      Pod pod = lab.client().pods().inNamespace("shop").withLabel("job-name", "hello-manual-1").list().getItems().get(0);
      assertEquals("Succeeded", pod.getStatus().getPhase());
      assertEquals(0, pod.getStatus().getContainerStatuses().get(0).getState().getTerminated().getExitCode());
      assertEquals("hello from " + pod.getMetadata().getName() + "\n",
          Files.readString(PodPrograms.logFile(logs, "shop", pod.getMetadata().getName(), "say")));
      await("the finished pod to give its namespace back", Duration.ofSeconds(10),
          () -> Optional.of(lab.network().pods()).filter(l -> l.stream().noneMatch(p -> p.key().startsWith("shop/"))));
    }
  }

  @Test
  void aProgramThatIsNotThereIsAWaitingContainerNotACrash() throws Exception {
    try (Lab lab = start()) {
      lab.apply("""
          apiVersion: v1
          kind: Pod
          metadata: {name: broken, namespace: shop}
          spec:
            containers:
            - {name: main, image: none, command: [no-such-program-pal, --flag]}
            - name: env
              image: none
              command: [sleep, "60"]
              env: [{name: X, valueFrom: {secretKeyRef: {name: s, key: k}}}]
          """);
      Pod pod = await("the waiting reason", Duration.ofSeconds(20), () -> Optional.ofNullable(
          lab.client().pods().inNamespace("shop").withName("broken").get())
          .filter(p -> p.getStatus() != null && p.getStatus().getContainerStatuses() != null
              && p.getStatus().getContainerStatuses().get(0).getState().getWaiting() != null));
      var main = pod.getStatus().getContainerStatuses().get(0).getState().getWaiting();
      assertTrue(List.of("RunContainerError", "CrashLoopBackOff").contains(main.getReason()), main.getReason());
      var env = pod.getStatus().getContainerStatuses().get(1).getState().getWaiting();
      assertEquals("CreateContainerConfigError", env.getReason());
      assertTrue(env.getMessage().contains("secretKeyRef"), env.getMessage());
      Pod later = await("a restart of the missing program", Duration.ofSeconds(20), () -> Optional.ofNullable(
          lab.client().pods().inNamespace("shop").withName("broken").get())
          .filter(p -> p.getStatus().getContainerStatuses().get(0).getRestartCount() >= 1));
      String message = later.getStatus().getContainerStatuses().get(0).getState().getWaiting() != null
          ? later.getStatus().getContainerStatuses().get(0).getState().getWaiting().getMessage()
          : later.getStatus().getContainerStatuses().get(0).getLastState().getTerminated().getMessage();
      assertTrue(message.contains("executable file not found"), message);
      assertEquals("False", later.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready"))
          .findFirst().orElseThrow().getStatus());
    }
  }

  @Test
  void theReaperKillsWhatALabKilledWithMinus9LeftInItsNamespaces() throws Exception {
    String ns = NetNs.PREFIX + ID + "-p77";
    NetNs.create(ns).close();
    Process orphan = new ProcessBuilder("setsid", "ip", "netns", "exec", ns, "sleep", "300").start();
    await("the orphan to be inside", Duration.ofSeconds(5),
        () -> Optional.of(NamespaceProcesses.in(List.of(ns))).filter(p -> p.contains(orphan.pid())));
    assertEquals(1, LabNetwork.reap(ID));
    assertTrue(orphan.waitFor(5, java.util.concurrent.TimeUnit.SECONDS), "the orphan was killed");
    assertFalse(NetNs.exists(ns));
  }
}
