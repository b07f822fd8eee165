package dev.palisade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.lab.cluster.Lab;
import dev.palisade.lab.daemon.LabTokens;
import dev.palisade.lab.daemon.PalisadeProcesses;
import dev.palisade.lab.kube.auth.TokenBinding;
import dev.palisade.lab.net.LabNetwork;
import dev.palisade.lab.net.Prober;
import dev.palisade.model.crd.AccessRequest;
import dev.palisade.model.crd.ReviewAudit;
import dev.palisade.model.crd.ReviewAuditSpec;
import dev.palisade.testkit.KernelTest;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import picocli.CommandLine;

/**
 * Issue 20's "done when": a request made with {@code palisade request} and approved on the page
 * lets the connection through. Controller and agent run as processes with deploy/base's RBAC; shop
 * is enforced, so web -> db 5432 is dropped. A developer whose only rights are the
 * palisade-developer ClusterRole bound in shop files the request with the CLI and their own token;
 * the review page in real headless Chromium shows it queued; one click approves it, which is one
 * audit entry naming the request, and the request's status says Approved with that entry. Then
 * the connection passes.
 */
@KernelTest
class AccessRequestLabIT {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
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
          spec: {containers: [{name: web, image: lab/echo, ports: [{containerPort: 8080}]}]}
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: db, namespace: shop}
      spec:
        replicas: 1
        selector: {matchLabels: {app: db}}
        template:
          metadata: {labels: {app: db}}
          spec: {containers: [{name: db, image: lab/echo, ports: [{containerPort: 5432}]}]}
      """;
  private static final String EDGE = "shop/Deployment/web -> shop/Deployment/db 5432/TCP";

  @Test
  void aRequestApprovedOnThePageLetsTheConnectionThrough(@TempDir Path dir) throws Exception {
    boolean browser = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!browser && "true".equals(System.getenv("CI"))) {
      throw new AssertionError("CI=true but " + CHROMIUM + " or " + CHROMEDRIVER + " is missing");
    }
    Assumptions.assumeTrue(browser, "skipped: no " + CHROMIUM + " / " + CHROMEDRIVER);
    try (Lab lab = Lab.startBare("req20a" + ProcessHandle.current().pid() % 10000, 1);
        PalisadeProcesses palisade = PalisadeProcesses.start(lab, LabCommand.launcher(), dir,
            LabTokens.of(lab.api()), Duration.ofSeconds(120))) {
      lab.apply(APP);
      lab.awaitReady(Duration.ofSeconds(60));
      // shop enforced, as an approver sets it (the page's mode form; a SegmentationMode)
      java.net.http.HttpResponse<String> mode = palisade.httpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create(palisade.url() + "/v1/mode"))
              .header("Authorization", "Bearer " + palisade.approverToken())
              .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"namespace\":\"shop\",\"mode\":\"enforce\"}"))
              .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, mode.statusCode(), mode.body());
      lab.awaitReady(Duration.ofSeconds(60));
      LabNetwork.Pod web = pod(lab, "web");
      LabNetwork.Pod db = pod(lab, "db");
      eventually(Duration.ofSeconds(30), () -> !Prober.connect(web.ns(), db.ip(), 5432, "TCP",
          Duration.ofMillis(500), false), "enforce drops web -> db 5432 (not approved)");
      System.out.println("AccessRequestLabIT: web -> db 5432 dropped in enforce");

      // a developer with only the palisade-developer role in shop
      Path kubeconfig = developer(lab, dir);
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      CommandLine cl = Main.commandLine();
      cl.setOut(new PrintWriter(out));
      cl.setErr(new PrintWriter(err));
      int code = cl.execute("request", "shop/Deployment/web", "shop/Deployment/db", "5432/TCP", "--reason",
          "web reads orders from db", "--name", "web-db", "--kubeconfig", kubeconfig.toString());
      assertEquals(0, code, err.toString());
      assertTrue(out.toString().contains("accessrequest shop/web-db created"), out.toString());

      try (KubernetesClient dev = client(kubeconfig)) {
        // issue 20's first done-when: a blocked connection is a Warning the developer can read in
        // their own namespace within 5 s, naming the edge and how to request it
        long blockedAt = System.nanoTime();
        assertFalse(Prober.connect(web.ns(), db.ip(), 5432, "TCP", Duration.ofMillis(500), false));
        eventually(Duration.ofSeconds(5), () -> dev.v1().events().inNamespace("shop").list().getItems().stream()
            .anyMatch(e -> "Warning".equals(e.getType()) && e.getMessage() != null
                && e.getMessage().contains(EDGE)
                && e.getMessage().contains("palisade request")),
            "a Warning in shop naming the edge and the request command, read by the developer");
        System.out.printf("AccessRequestLabIT: the developer read the Warning %d ms after the blocked connect%n",
            (System.nanoTime() - blockedAt) / 1_000_000);
        eventually(Duration.ofSeconds(20), () -> "Pending".equals(phase(dev)), "the request is Pending");
        assertEquals(EDGE, dev.resources(AccessRequest.class).inNamespace("shop").withName("web-db").get()
            .getStatus().edge);

        WebDriver page = chromium(dir, palisade.certificates().chromiumTrustArgument());
        try {
          page.get(palisade.url() + "/");
          page.findElement(By.id("token")).sendKeys(palisade.approverToken());
          page.findElement(By.id("login")).click();
          WebDriverWait wait = (WebDriverWait) new WebDriverWait(page, Duration.ofSeconds(20))
              .ignoring(org.openqa.selenium.StaleElementReferenceException.class);
          String row = "#requests tbody tr[data-request='shop/web-db']";
          wait.until(d -> d.findElement(By.cssSelector(row + " td.phase")).getText().equals("Pending"));
          WebElement shown = page.findElement(By.cssSelector(row));
          assertEquals(EDGE, shown.findElement(By.cssSelector("td.edge")).getText());
          assertEquals("web reads orders from db", shown.findElement(By.cssSelector("td.reason")).getText());
          // the edge's review status beside the request: not approved. "unseen" unless a probe
          // connected before enforce mode was in force, which the agent then reports as learned
          String edgeStatus = shown.findElement(By.cssSelector("td.edge-status")).getText();
          assertTrue(List.of("unseen", "learned").contains(edgeStatus), edgeStatus);
          wait.until(d -> {
            d.findElement(By.cssSelector(row + " button.request-approve")).click();
            return true;
          });
          wait.until(d -> d.findElement(By.cssSelector(row + " td.phase")).getText().equals("Approved"));
          wait.until(d -> d.findElement(By.id("audit")).getText().contains("access request shop/web-db"));
        } finally {
          page.quit();
        }

        // one audited decision, linked both ways
        List<ReviewAuditSpec> entries = lab.client().resources(ReviewAudit.class).list().getItems().stream()
            .map(ReviewAudit::getSpec).filter(s -> "shop/web-db".equals(s.accessRequest)).toList();
        assertEquals(1, entries.size(), "one audit entry names the request");
        assertEquals("approve", entries.get(0).action);
        assertEquals(EDGE, entries.get(0).target);
        eventually(Duration.ofSeconds(20), () -> "Approved".equals(phase(dev)), "the request's status is Approved");
        var status = dev.resources(AccessRequest.class).inNamespace("shop").withName("web-db").get().getStatus();
        assertEquals(entries.get(0).seq, status.audit);
        assertEquals(entries.get(0).who, status.decidedBy);
        assertNotNull(status.decidedAt);

        // ... and the connection passes
        eventually(Duration.ofSeconds(30), () -> Prober.connect(web.ns(), db.ip(), 5432, "TCP",
            Duration.ofMillis(500), false), "the approved web -> db 5432 connects");

        // the developer sees their namespace, not others'
        assertFalse(dev.v1().events().inNamespace("shop").list().getItems().isEmpty(), "shop's drop Events");
        KubernetesClientException refused = assertThrows(KubernetesClientException.class,
            () -> dev.v1().events().inNamespace("kube-system").list());
        assertEquals(403, refused.getCode());
      }
    }
  }

  private static LabNetwork.Pod pod(Lab lab, String workload) {
    return lab.network().pods().stream().filter(p -> p.key().startsWith("shop/" + workload + "-")).findFirst()
        .orElseThrow(() -> new AssertionError("no pod of " + workload));
  }

  private static String phase(KubernetesClient dev) {
    AccessRequest r = dev.resources(AccessRequest.class).inNamespace("shop").withName("web-db").get();
    return r == null || r.getStatus() == null ? null : r.getStatus().phase;
  }

  /** ServiceAccount shop/dev bound to palisade-developer in shop only; its kubeconfig. */
  static Path developer(Lab lab, Path dir) throws Exception {
    KubernetesClient admin = lab.client();
    admin.serviceAccounts().inNamespace("shop").resource(new ServiceAccountBuilder().withNewMetadata().withName("dev")
        .withNamespace("shop").endMetadata().build()).create();
    admin.rbac().roleBindings().inNamespace("shop").resource(new RoleBindingBuilder().withNewMetadata()
        .withName("palisade-developer").withNamespace("shop").endMetadata()
        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "palisade-developer")
        .addNewSubject().withKind("ServiceAccount").withName("dev").withNamespace("shop").endSubject().build()).create();
    String token = lab.api().issueServiceAccountToken("shop", "dev", List.of(), TokenBinding.none(),
        Duration.ofHours(1)).token();
    return Files.writeString(dir.resolve("dev.kubeconfig"), """
        apiVersion: v1
        kind: Config
        clusters:
        - name: lab
          cluster: {server: "%s", insecure-skip-tls-verify: true}
        users:
        - name: dev
          user: {token: "%s"}
        contexts:
        - name: lab
          context: {cluster: lab, user: dev, namespace: shop}
        current-context: lab
        """.formatted(lab.api().url(), token));
  }

  static KubernetesClient client(Path kubeconfig) throws Exception {
    return new KubernetesClientBuilder().withConfig(io.fabric8.kubernetes.client.Config.fromKubeconfig(null,
        Files.readString(kubeconfig), kubeconfig.toString())).build();
  }

  private static WebDriver chromium(Path dir, String trustArgument) throws Exception {
    ChromeOptions o = new ChromeOptions();
    o.setBinary(CHROMIUM.toFile());
    o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1500,1100",
        "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium")), trustArgument);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().build();
    return new ChromeDriver(service, o);
  }

  private static void eventually(Duration within, BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + within.toSeconds() + " s: " + what);
      }
      Thread.sleep(200);
    }
  }
}
