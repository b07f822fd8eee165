package dev.palisade.lab.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kubectl against the lab API server with Palisade's RBAC manifests loaded: {@code kubectl auth
 * can-i --as} answers what a cluster would for the agent's ServiceAccount, {@code auth whoami}
 * names the admin, and a wrong token gets 401.
 */
class KubectlAuthIT {
  private static final Path KUBECTL = Path.of("/usr/bin/kubectl");
  private static final Path DEPLOY = Path.of("../deploy/base");
  private static final String AGENT = "system:serviceaccount:palisade-system:palisade-agent";
  private static final String CONTROLLER = "system:serviceaccount:palisade-system:palisade-controller";

  @TempDir
  Path dir;
  private LabApiServer api;
  private Path kubeconfig;

  record Run(int exit, String out, String err) {}

  @BeforeEach
  void start() throws IOException {
    Assumptions.assumeTrue(Files.isExecutable(KUBECTL), "kubectl is not installed at " + KUBECTL);
    api = LabApiServer.start();
    kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"));
    for (String file : List.of("rbac-agent.yaml", "rbac-controller.yaml")) {
      try (InputStream in = Files.newInputStream(DEPLOY.resolve(file))) {
        for (HasMetadata o : api.client().load(in).items()) {
          api.client().resource(o).create();
        }
      }
    }
  }

  @AfterEach
  void stop() {
    if (api != null) {
      api.close();
    }
  }

  /** kubectl with KUBECONFIG set and a private discovery cache. */
  private Run kubectl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(KUBECTL.toString(), "--cache-dir", dir.resolve("cache").toString(),
        "--request-timeout", "30s"));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(dir.resolve("out").toFile())
        .redirectError(dir.resolve("err").toFile());
    Map<String, String> env = pb.environment();
    env.put("KUBECONFIG", kubeconfig.toString());
    Process p = pb.start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish");
    }
    return new Run(p.exitValue(), Files.readString(dir.resolve("out")).trim(), Files.readString(dir.resolve("err")));
  }

  private void canI(String expected, String... args) throws IOException, InterruptedException {
    List<String> all = new ArrayList<>(List.of("auth", "can-i"));
    all.addAll(List.of(args));
    Run run = kubectl(all.toArray(String[]::new));
    assertEquals(expected, run.out(), () -> "kubectl " + String.join(" ", all) + ": exit " + run.exit() + "\n"
        + run.err());
    assertEquals(expected.equals("yes") ? 0 : 1, run.exit(), run.err());
  }

  @Test
  void canIAnswersForTheAgentAsRbacAllows() throws Exception {
    canI("yes", "list", "pods", "--all-namespaces", "--as=" + AGENT);
    canI("yes", "watch", "allowlists.palisade.dev", "-n", "shop", "--as=" + AGENT);
    canI("no", "create", "allowlists.palisade.dev", "-n", "shop", "--as=" + AGENT);
    canI("no", "delete", "pods", "-n", "shop", "--as=" + AGENT);
    // issue 15: every kind the agent watches (AgentAccess, generated into rbac-agent.yaml) is granted
    for (String kind : List.of("replicasets.apps", "jobs.batch", "networkpolicies.networking.k8s.io", "services",
        "endpointslices.discovery.k8s.io", "namespaces", "segmentationmodes.palisade.dev")) {
      canI("yes", "list", kind, "--all-namespaces", "--as=" + AGENT);
    }
    canI("no", "update", "segmentationmodes.palisade.dev", "-n", "shop", "--as=" + AGENT);
    canI("no", "patch", "pods", "-n", "shop", "--as=" + AGENT);
    canI("yes", "list", "replicasets", "--all-namespaces", "--as=" + CONTROLLER);
    canI("yes", "create", "tokenreviews.authentication.k8s.io", "--as=" + CONTROLLER);
    canI("yes", "patch", "leases", "-n", "palisade-system", "--as=" + CONTROLLER);
    canI("no", "update", "leases", "-n", "default", "--as=" + CONTROLLER);
    canI("yes", "delete", "pods", "-n", "shop");
  }

  @Test
  void whoamiNamesTheAdmin() throws Exception {
    Run run = kubectl("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}");
    assertEquals(0, run.exit(), run.err());
    assertEquals(ApiAccess.ADMIN_USER, run.out());
  }

  @Test
  void kubectlIsForbiddenAsTheAgentAndAWrongTokenIsUnauthorized() throws Exception {
    Run denied = kubectl("delete", "pod", "p", "-n", "shop", "--as=" + AGENT);
    assertEquals(1, denied.exit());
    assertTrue(denied.err().contains("pods \"p\" is forbidden: User \"" + AGENT + "\" cannot delete resource "
        + "\"pods\" in API group \"\" in the namespace \"shop\""), denied.err());

    Run wrong = kubectl("get", "pods", "--token=wrong");
    assertEquals(1, wrong.exit());
    assertTrue(wrong.err().contains("Unauthorized") || wrong.err().contains("provide credentials"), wrong.err());

    try (KubernetesClient c = new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(api.clientConfig("wrong")).build()).build()) {
      assertEquals(401, assertThrows(KubernetesClientException.class, () -> c.pods().list()).getCode());
    }
  }
}
