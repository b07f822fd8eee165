package dev.palisade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dataplane.tls.ControllerTrust;
import dev.palisade.lab.kube.LabApiServer;
import dev.palisade.lab.tls.LabCertificates;
import dev.palisade.model.crd.WorkloadIdentity;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code palisade controller} (no leader election) against the lab's API server through a kubeconfig. */
class ControllerCommandTest {
  private static final String APPROVER = "0123456789abcdef0123456789abcdef";

  @TempDir
  Path dir;
  private HttpClient http;

  @Test
  void servesProbesUsersAndWritesIdentities() throws Exception {
    java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path users = Files.writeString(dir.resolve("tokens"), APPROVER + ",alice,approver\n");
    try (LabApiServer api = LabApiServer.start()) {
      // fabric8 reads the kubeconfig named by this property, as it would read ~/.kube/config
      System.setProperty("kubeconfig", api.writeKubeconfig(dir.resolve("kubeconfig")).toString());
      deploymentPod(api.client(), "web");
      ControllerCommand command = new ControllerCommand();
      AtomicInteger exit = new AtomicInteger(-1);
      LabCertificates.Issued certs = LabCertificates.write(dir.resolve("tls"), LabCertificates.CONTROLLER_NAMES);
      Thread run = new Thread(() -> exit.set(new CommandLine(command).execute("--listen=127.0.0.1:" + port,
          "--default-mode=monitor", "--users-file=" + users, "--metrics-listen=127.0.0.1:0",
          "--tls-cert=" + certs.cert(), "--tls-key=" + certs.key())),
          "controller-command");
      run.setDaemon(true);
      run.start();
      String base = "https://127.0.0.1:" + port;
      http = ControllerTrust.of(certs.ca(), false).builder(base).build();
      eventually(() -> status(base + "/healthz/ready", null) == 200, "ready");
      assertEquals(200, status(base + "/healthz/live", null));
      assertEquals(200, status(base + "/v1/status", APPROVER), "a user of --users-file");
      // an unknown token goes to a TokenReview, which the lab's store does not authenticate
      assertEquals(401, status(base + "/v1/status", "not-a-user-token-at-all"));
      eventually(() -> api.client().resources(WorkloadIdentity.class).inNamespace("shop").withName("deployment-web")
          .get() != null, "the controller writes identities");
      command.stop.countDown();
      run.join(Duration.ofSeconds(20).toMillis());
      assertEquals(0, exit.get());
      assertEquals(-1, status(base + "/healthz/live", null), "the port is closed");
    } finally {
      System.clearProperty("kubeconfig");
    }
  }

  @Test
  void withoutCertificateAndWithoutInsecureHttpTheControllerDoesNotStart() {
    java.io.StringWriter err = new java.io.StringWriter();
    CommandLine cli = new CommandLine(new ControllerCommand());
    cli.setErr(new java.io.PrintWriter(err, true));
    // usage error before any client, informer or port: nothing here would answer
    assertEquals(CommandLine.ExitCode.USAGE, cli.execute("--listen=127.0.0.1:0", "--metrics-listen=127.0.0.1:0"));
    assertTrue(err.toString().contains("pass --tls-cert FILE --tls-key FILE"), err.toString());
    assertTrue(err.toString().contains("--insecure-http"), err.toString());
  }

  private int status(String url, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (java.io.IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static void deploymentPod(KubernetesClient client, String deploy) {
    String rs = deploy + "-5d8f";
    client.apps().replicaSets().inNamespace("shop").resource(new ReplicaSetBuilder().withMetadata(new ObjectMetaBuilder()
        .withNamespace("shop").withName(rs).withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1")
            .withKind("Deployment").withName(deploy).withUid("d-" + deploy).withController(true).build()).build())
        .build()).create();
    client.pods().inNamespace("shop").resource(new PodBuilder().withMetadata(new ObjectMetaBuilder()
        .withNamespace("shop").withName(rs + "-aaaaa").withLabels(Map.of("app", deploy, "pod-template-hash", "5d8f"))
        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet").withName(rs)
            .withUid("r-" + rs).withController(true).build()).build()).build()).create();
  }

  private static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out: " + what);
      Thread.sleep(50);
    }
  }
}
