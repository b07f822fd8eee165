package dev.palisade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `palisade ci run` refuses bad input with exit 3 before any lab exists (so these need no root). */
class CiCommandTest {
  private static final Path APP = Path.of("../examples/ci-shop");
  @TempDir Path dir;

  private String run(int expectedCode, String... args) {
    PrintStream stdout = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
      code = new CommandLine(new Main()).execute(args);
    } finally {
      System.setOut(stdout);
    }
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(expectedCode, code, out);
    return out;
  }

  @Test
  void aMalformedBaselineIsExit3NamingTheFileAndField() throws Exception {
    Path base = Files.createDirectories(dir.resolve("approved"));
    Path bad = base.resolve("shop.yaml");
    Files.writeString(bad, """
        apiVersion: palisade.dev/v1alpha1
        kind: ApprovedGraph
        metadata: {namespace: ci-shop, name: shop}
        spec:
          edges:
          - {from: ci-shop/Deployment/web, to: ci-shop/api, port: 9090}
        """);
    String out = run(3, "ci", "run", "--manifests", APP.resolve("manifests").toString(), "--baseline", base.toString(),
        "--traffic", APP.resolve("traffic.yaml").toString(), "--report-dir", dir.resolve("r").toString());
    assertTrue(out.contains(bad + ": spec.edges[0].to: workload must be NS/KIND/NAME, not 'ci-shop/api'"), out);
    assertFalse(Files.exists(dir.resolve("r")), "no reports for a run that did not happen");
  }

  @Test
  void aBadTrafficEntryAndABadFailOnAreExit3() throws Exception {
    Path traffic = dir.resolve("traffic.yaml");
    Files.writeString(traffic, "flows:\n- {from: workload/ci-shop/Deployment/web, to: service/ci-shop/api, count: 1}\n");
    String out = run(3, "ci", "run", "--manifests", APP.resolve("manifests").toString(),
        "--baseline", APP.resolve("approved").toString(), "--traffic", traffic.toString());
    assertTrue(out.contains(traffic + ": flows[0].port: must be a number 1..65535, not missing"), out);
    out = run(3, "ci", "run", "--manifests", "m", "--baseline", "b", "--fail-on", "often");
    assertTrue(out.contains("--fail-on: must be new, forbidden or never, not 'often'"), out);
  }

  @Test
  void aMalformedJunitReportIsExit3NamingTheFile() throws Exception {
    Path junit = dir.resolve("TEST-shop.CheckoutIT.xml");
    Files.writeString(junit, "<testsuite name=\"shop\" timestamp=\"2026-11-30T10:00:00\"><testcase name=\"a\">");
    String out = run(3, "ci", "run", "--manifests", APP.resolve("manifests").toString(),
        "--baseline", APP.resolve("approved").toString(), "--traffic", APP.resolve("traffic.yaml").toString(),
        "--tests-junit", junit.toString(), "--report-dir", dir.resolve("r").toString());
    assertTrue(out.contains("palisade ci: bad input: " + junit + ": not well-formed JUnit XML: line 1"), out);
    assertFalse(Files.exists(dir.resolve("r")), "no reports for a run that did not happen");
  }

  @Test
  void anUnknownKindInTheManifestsIsExit3NamingFileAndKind() throws Exception {
    Path manifests = Files.createDirectories(dir.resolve("app"));
    Files.copy(APP.resolve("manifests/shop.yaml"), manifests.resolve("shop.yaml"));
    Path tls = Files.writeString(manifests.resolve("tls.yaml"),
        "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: api-tls, namespace: ci-shop}\n");
    String out = run(3, "ci", "run", "--manifests", manifests.toString(), "--baseline", APP.resolve("approved").toString(),
        "--traffic", APP.resolve("traffic.yaml").toString(), "--report-dir", dir.resolve("r").toString());
    assertTrue(out.contains(tls + ": document 1: kind Certificate (apiVersion cert-manager.io/v1)"), out);
  }

  @Test
  void aMissingRequiredOptionIsExit3NotAVerdict() {
    run(3, "ci", "run", "--baseline", "b");
  }
}
