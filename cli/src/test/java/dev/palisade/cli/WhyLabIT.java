package dev.palisade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.palisade.lab.cluster.Lab;
import dev.palisade.lab.daemon.LabTokens;
import dev.palisade.lab.daemon.PalisadeProcesses;
import dev.palisade.testkit.KernelTest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code palisade why} against Palisade as a cluster runs it (controller and agents as their own
 * processes, with deploy/base's RBAC and ServiceAccount tokens) and a viewer token: the controller
 * may read what the answer needs (nodes among them), and DNS to the lab's cluster DNS is named as
 * the failsafe that keeps it open in every mode.
 */
@KernelTest
class WhyLabIT {
  private static final String APP = """
      apiVersion: v1
      kind: Namespace
      metadata: {name: shop}
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web, namespace: shop}
      spec:
        replicas: 1
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec: {containers: [{name: web, image: web, ports: [{containerPort: 8080}]}]}
      """;

  @Test
  void whyNamesTheDnsFailsafeWithAViewerToken(@TempDir Path dir) throws Exception {
    try (Lab lab = Lab.startBare("why20w" + ProcessHandle.current().pid() % 100000, 1);
        PalisadeProcesses palisade = PalisadeProcesses.start(lab, LabCommand.launcher(), dir,
            LabTokens.of(lab.api()), Duration.ofSeconds(120))) {
      lab.apply(APP);
      lab.awaitReady(Duration.ofSeconds(60));
      Path viewer = Files.writeString(dir.resolve("viewer-token"), palisade.viewerToken());
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      CommandLine cl = Main.commandLine();
      cl.setOut(new PrintWriter(out));
      cl.setErr(new PrintWriter(err));
      int code = cl.execute("why", "shop/Deployment/web", "kube-system/lab-dns", "53/UDP", "-o", "json",
          "--url", palisade.url(), "--ca", palisade.caFile().toString(), "--token-file", viewer.toString());
      assertEquals(0, code, err.toString());
      JsonNode w = JsonMapper.builder().build().readTree(out.toString());
      assertEquals("allow", w.path("verdict").asString(), w.toString());
      assertEquals("failsafe dns", w.path("decidedBy").asString(), w.toString());
    }
  }
}
