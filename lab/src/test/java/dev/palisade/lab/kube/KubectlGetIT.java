package dev.palisade.lab.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.model.crd.AllowList;
import dev.palisade.model.crd.AllowListSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kubectl get against the lab API server prints the columns a cluster prints (server-side Tables):
 * READY, STATUS and RESTARTS for pods, IP and NODE with {@code -o wide}, CLUSTER-IP for services,
 * and custom resources by their CRD's printer columns.
 */
class KubectlGetIT {
  private static final Path KUBECTL = Path.of("/usr/bin/kubectl");

  @TempDir
  Path dir;
  private LabApiServer api;
  private Path kubeconfig;

  record Run(int exit, String out, String err) {}

  @BeforeEach
  void start() {
    Assumptions.assumeTrue(Files.isExecutable(KUBECTL), "kubectl is not installed at " + KUBECTL);
    api = LabApiServer.start();
    kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"));
  }

  @AfterEach
  void stop() {
    if (api != null) {
      api.close();
    }
  }

  private ProcessBuilder command(String... args) {
    List<String> command = new ArrayList<>(List.of(KUBECTL.toString(), "--cache-dir", dir.resolve("cache").toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    return pb;
  }

  private Run kubectl(String... args) throws IOException, InterruptedException {
    Path out = dir.resolve("out");
    Path err = dir.resolve("err");
    Process p = command(args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish");
    }
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  private static Pod runningPod(String namespace, String name, String ip, int restarts) {
    return new PodBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
        .withNewSpec().withNodeName("node-1").addNewContainer().withName("app").withImage("nginx").endContainer()
        .addNewContainer().withName("sidecar").withImage("envoy").endContainer().endSpec()
        .withNewStatus().withPhase("Running").withPodIP(ip)
        .addNewContainerStatus().withName("app").withReady(true).withRestartCount(restarts)
        .withNewState().withNewRunning().endRunning().endState().endContainerStatus()
        .addNewContainerStatus().withName("sidecar").withReady(false).withRestartCount(1)
        .withNewState().withNewWaiting().withReason("CrashLoopBackOff").endWaiting().endState().endContainerStatus()
        .endStatus().build();
  }

  private void create(Pod pod) {
    Pod created = api.client().resource(pod).create();
    if (created.getStatus() == null || created.getStatus().getPhase() == null) {
      // the store may keep status apart, as the status subresource
      created.setStatus(pod.getStatus());
      api.client().resource(created).updateStatus();
    }
  }

  private static void assertRow(String out, String... cells) {
    Pattern row = Pattern.compile("(?m)^" + String.join("\\s+", List.of(cells).stream().map(Pattern::quote).toList())
        + "(\\s|$)");
    assertTrue(row.matcher(out).find(), () -> "no row " + List.of(cells) + " in:\n" + out);
  }

  @Test
  void podsPrintReadyStatusRestartsAndWideColumns() throws Exception {
    create(runningPod("shop", "web-1", "10.244.1.5", 2));
    create(runningPod("default", "db-0", "10.244.1.6", 0));

    Run all = kubectl("get", "pods", "-A");
    assertEquals(0, all.exit(), all.err());
    assertTrue(all.out().matches("(?s)NAMESPACE\\s+NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE\\s*\n.*"), all.out());
    assertRow(all.out(), "shop", "web-1", "1/2", "CrashLoopBackOff", "3");
    assertRow(all.out(), "default", "db-0", "1/2", "CrashLoopBackOff", "1");

    Run wide = kubectl("get", "pods", "-n", "shop", "-o", "wide");
    assertEquals(0, wide.exit(), wide.err());
    assertTrue(wide.out().matches("(?s)NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE\\s+IP\\s+NODE\\s+NOMINATED NODE"
        + "\\s+READINESS GATES\\s*\n.*"), wide.out());
    assertRow(wide.out(), "web-1", "1/2", "CrashLoopBackOff", "3");
    assertTrue(wide.out().contains("10.244.1.5") && wide.out().contains("node-1"), wide.out());

    Run one = kubectl("get", "pod", "web-1", "-n", "shop");
    assertEquals(0, one.exit(), one.err());
    assertRow(one.out(), "web-1", "1/2", "CrashLoopBackOff", "3");
  }

  @Test
  void servicesPrintClusterIpAndPorts() throws Exception {
    api.client().resource(new ServiceBuilder().withNewMetadata().withNamespace("default").withName("web").endMetadata()
        .withNewSpec().withType("ClusterIP").withClusterIP("10.96.0.20").addNewPort().withPort(80).withProtocol("TCP")
        .endPort().endSpec().build()).create();
    Run run = kubectl("get", "svc");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().matches("(?s)NAME\\s+TYPE\\s+CLUSTER-IP\\s+EXTERNAL-IP\\s+PORT\\(S\\)\\s+AGE\\s*\n.*"),
        run.out());
    assertRow(run.out(), "web", "ClusterIP", "10.96.0.20", "<none>", "80/TCP");
  }

  @Test
  void allowListsPrintAcrossNamespaces() throws Exception {
    AllowList al = new AllowList();
    al.setMetadata(new ObjectMetaBuilder().withName("web").withNamespace("shop").build());
    AllowListSpec spec = new AllowListSpec();
    spec.identity = 300;
    spec.mode = "enforce";
    al.setSpec(spec);
    api.client().resources(AllowList.class).inNamespace("shop").resource(al).create();
    Run run = kubectl("get", "allowlists", "-A");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().matches("(?s)NAMESPACE\\s+NAME\\s+AGE\\s*\n.*"), run.out());
    assertTrue(run.out().lines().anyMatch(l -> l.startsWith("shop") && l.contains("web")), run.out());
  }

  @Test
  void getWatchPrintsAPodCreatedAfterItStarted() throws Exception {
    create(runningPod("default", "before", "10.244.1.7", 0));
    Path out = dir.resolve("watch-out");
    Path err = dir.resolve("watch-err");
    Process watch = command("get", "pods", "-w", "--request-timeout=5s").redirectOutput(out.toFile())
        .redirectError(err.toFile()).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!Files.readString(out).contains("before") && System.nanoTime() < deadline && watch.isAlive()) {
        Thread.sleep(100);
      }
      assertTrue(Files.readString(out).contains("before"), () -> "no initial list: " + read(out) + read(err));
      Thread.sleep(500); // the watch request follows the list
      create(runningPod("default", "after", "10.244.1.8", 0));
      assertTrue(watch.waitFor(30, TimeUnit.SECONDS), "kubectl get -w did not end after --request-timeout");
    } finally {
      watch.destroyForcibly();
    }
    String printed = Files.readString(out);
    assertTrue(printed.matches("(?s)NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE\\s*\n.*"), printed);
    assertRow(printed, "after", "1/2", "CrashLoopBackOff", "1");
    assertEquals(1, printed.lines().filter(l -> l.startsWith("NAME")).count(), "one header:\n" + printed);
    assertEquals(1, printed.lines().filter(l -> l.startsWith("before ")).count(),
        "the listed pod is not replayed by the watch:\n" + printed);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return e.toString();
    }
  }
}
