package dev.palisade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.lab.net.LabNetwork;
import dev.palisade.testkit.KernelTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `palisade ci run` on the example app examples/ci-shop, each run on its own lab. */
@KernelTest
class CiRunIT {
  private static final Path APP = Path.of("../examples/ci-shop");
  private static final AtomicInteger SEQ = new AtomicInteger();
  private static final String WEB_API = "ci-shop/Deployment/web -&gt; ci-shop/Deployment/api 9090/TCP";
  private static final String API_DB = "ci-shop/Deployment/api -&gt; ci-shop/StatefulSet/db 5432/TCP";
  private static final String API_COUPONS = "ci-shop/Deployment/api -&gt; ci-shop/Deployment/coupons 7070/TCP";
  /** The two calls of the app as it is, approved (what a reviewed first patch holds). */
  private static final String REVIEWED = """
      apiVersion: palisade.dev/v1alpha1
      kind: ApprovedGraph
      metadata: {namespace: ci-shop, name: shop}
      spec:
        edges:
        - {from: ci-shop/Deployment/web, to: ci-shop/Deployment/api, port: 9090}
        - {from: ci-shop/Deployment/api, to: ci-shop/StatefulSet/db, port: 5432, protocol: TCP}
      """;

  @TempDir Path dir;
  private final List<String> labIds = new ArrayList<>();

  record Run(int code, String out, Path reports) {
    String junit() throws Exception {
      return Files.readString(reports.resolve("junit.xml"));
    }

    List<String> failingCases() throws Exception {
      List<String> out = new ArrayList<>();
      Matcher m = Pattern.compile("<testcase classname=\"[^\"]*\" name=\"([^\"]*)\">\\s*<failure type=\"([a-z-]+)\"")
          .matcher(junit());
      while (m.find()) {
        out.add(m.group(2) + " " + m.group(1));
      }
      return out;
    }
  }

  private Run run(String... args) throws Exception {
    // -Dpalisade.it.labid names the labs (at most 10 characters) so parallel runs keep apart
    String labId = System.getProperty("palisade.it.labid", "ci18" + ProcessHandle.current().pid() % 100000) + "x"
        + SEQ.incrementAndGet();
    labIds.add(labId);
    Path reports = dir.resolve("reports-" + labId);
    List<String> all = new ArrayList<>(List.of("ci", "run", "--lab-id", labId, "--report-dir", reports.toString()));
    all.addAll(List.of(args));
    PrintStream stdout = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
      code = new CommandLine(new Main()).execute(all.toArray(String[]::new));
    } finally {
      System.setOut(stdout);
    }
    String out = bytes.toString(StandardCharsets.UTF_8);
    stdout.println(out);
    return new Run(code, out, reports);
  }

  /** Every run tears its lab down; a leftover namespace would be a bug, and is removed here too. */
  @AfterEach
  void noLabLeftBehind() {
    for (String id : labIds) {
      assertEquals(0, LabNetwork.reap(id), "lab " + id + " left network namespaces behind");
    }
  }

  private Path baseline(String text) throws Exception {
    Path b = Files.createDirectories(dir.resolve("baseline-" + SEQ.get()));
    Files.writeString(b.resolve("shop.yaml"), text);
    return b;
  }

  @Test
  void nothingApprovedFailsWithTwoNewEdgesAndItsPatchAsBaselinePasses() throws Exception {
    Run first = run("--manifests", APP.resolve("manifests").toString(), "--baseline", APP.resolve("approved").toString(),
        "--traffic", APP.resolve("traffic.yaml").toString());
    assertEquals(1, first.code(), first.out());
    assertEquals(List.of("new " + API_DB, "new " + WEB_API), first.failingCases());
    String patch = Files.readString(first.reports().resolve("patch.yaml"));
    assertTrue(patch.contains("from: \"ci-shop/Deployment/web\"\n    to: \"ci-shop/Deployment/api\"\n    port: 9090"), patch);
    assertTrue(patch.contains("traffic: \"" + APP.resolve("traffic.yaml") + " flows[1]\""), patch);
    assertTrue(Files.readString(first.reports().resolve("report.md")).contains("| new | `ci-shop/Deployment/web`"));

    Run second = run("--manifests", APP.resolve("manifests").toString(),
        "--baseline", first.reports().resolve("patch.yaml").toString(), "--traffic", APP.resolve("traffic.yaml").toString());
    assertEquals(0, second.code(), second.out());
    assertEquals(List.of(), second.failingCases());
  }

  @Test
  void aCallToANewServiceIsExactlyOneFailingCase() throws Exception {
    Run r = run("--manifests", APP.resolve("manifests").toString(), "--manifests", APP.resolve("change-coupons/manifests").toString(),
        "--baseline", baseline(REVIEWED).toString(), "--traffic", APP.resolve("change-coupons/traffic.yaml").toString());
    assertEquals(1, r.code(), r.out());
    assertEquals(List.of("new " + API_COUPONS), r.failingCases());
  }

  @Test
  void theConnectionsOfACommandRunInAPodAreJudgedAndNamedByIt() throws Exception {
    Run r = run("--manifests", APP.resolve("manifests").toString(), "--baseline", APP.resolve("approved").toString(),
        "--exec", "workload/ci-shop/Deployment/web", "--", "timeout", "10", "bash", "-c", "echo hi >/dev/tcp/api/9090");
    assertEquals(1, r.code(), r.out());
    assertEquals(List.of("new " + WEB_API), r.failingCases());
    String patch = Files.readString(r.reports().resolve("patch.yaml"));
    assertTrue(patch.contains("command: \"--exec workload/ci-shop/Deployment/web -- timeout 10 bash -c echo hi"), patch);
  }

  @Test
  void theManifestsOwnNetworkPolicyDroppingACallIsExit2() throws Exception {
    Run r = run("--manifests", APP.resolve("manifests").toString(), "--manifests", APP.resolve("netpol-drop").toString(),
        "--baseline", baseline(REVIEWED).toString(), "--traffic", APP.resolve("traffic.yaml").toString());
    assertEquals(2, r.code(), r.out());
    assertEquals(List.of("dropped " + API_DB), r.failingCases());
  }

  /** Issue 19: the org's guardrails classify as on the review page; an Admin Deny is forbidden, exit 2. */
  @Test
  void orgGuardrailsApproveAndForbidWithoutAReviewer() throws Exception {
    Run r = run("--manifests", APP.resolve("manifests").toString(), "--manifests",
        APP.resolve("org-guardrails").toString(), "--baseline", APP.resolve("approved").toString(), "--traffic",
        APP.resolve("traffic.yaml").toString());
    assertEquals(2, r.code(), r.out());
    assertEquals(List.of("forbidden " + API_DB), r.failingCases(), "web -> api is accepted by the guardrail");
    assertTrue(r.out().contains("forbidden by org guardrail ClusterNetworkPolicy no-db-from-api rule db-closed"), r.out());
  }
}
