package dev.palisade.lab.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.MockApiServer;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.StaticTokens;
import dev.palisade.controller.service.PalisadeController;
import dev.palisade.model.Mode;
import dev.palisade.model.crd.ApprovedGraph;
import dev.palisade.model.crd.ApprovedGraphSpec;
import dev.palisade.model.crd.WorkloadIdentity;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The review page in real headless Chromium, against a controller on fabric8's in-memory API
 * server (no kernel needed): rejecting an edge an ApprovedGraph approves opens a dialog naming
 * the object, with its YAML to commit (shown as text, never markup) and a copy button; the edge
 * stays approved.
 */
@MockApiServer
class GitPatchDialogIT {
  private static final String WEB_API = "shop/Deployment/web -> shop/Deployment/api 9090/TCP";
  /** Provenance is free text from a CI run: the page must show it, not run it. */
  private static final String HOSTILE = "<img src=x id=injected onerror=alert(1)>";

  KubernetesClient client;
  private final StaticTokens tokens = new StaticTokens();
  private final String agent = tokens.issue(new Principal("lab-node-0", Role.AGENT));
  private final String approver = tokens.issue(new Principal("alice", Role.APPROVER));
  private PalisadeController controller;
  @AutoClose private HeadlessChromium chromium;
  private WebDriver browser;

  @BeforeEach
  void up() throws Exception {
    chromium = HeadlessChromium.start();
    browser = chromium.browser();
  }

  /** Before the mock API server goes: its informers and writers stop while they still have one. */
  @AfterEach
  void stopController() {
    if (controller != null) {
      controller.close();
    }
  }

  private void deploymentPod(String deploy) {
    String rs = deploy + "-5d8f";
    client.apps().replicaSets().inNamespace("shop").resource(new ReplicaSetBuilder().withMetadata(new ObjectMetaBuilder()
        .withNamespace("shop").withName(rs).withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1")
            .withKind("Deployment").withName(deploy).withUid("d-" + deploy).withController(true).build()).build())
        .build()).create();
    client.pods().inNamespace("shop").resource(new PodBuilder().withMetadata(new ObjectMetaBuilder().withNamespace("shop")
        .withName(rs + "-aaaaa").withLabels(Map.of("app", deploy)).withOwnerReferences(new OwnerReferenceBuilder()
            .withApiVersion("apps/v1").withKind("ReplicaSet").withName(rs).withUid("r-" + rs).withController(true)
            .build()).build()).withNewSpec().withNodeName("lab-node-0").endSpec().build()).create();
  }

  private long id(String deploy) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (client.resources(WorkloadIdentity.class).inNamespace("shop").withName("deployment-" + deploy).get() == null) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no identity for " + deploy);
      }
      Thread.sleep(20);
    }
    return client.resources(WorkloadIdentity.class).inNamespace("shop").withName("deployment-" + deploy).get()
        .getSpec().id;
  }

  private WebDriverWait waitUpTo(int seconds) {
    return chromium.waitUpTo(seconds);
  }

  private String statusOf(String edge) {
    List<WebElement> rows = browser.findElements(By.cssSelector("#edges tbody tr[data-key='" + edge + "']"));
    return rows.isEmpty() ? null : rows.get(0).findElement(By.cssSelector("td.status")).getText();
  }

  @Test
  void rejectingAnEdgeGitApprovesShowsTheChangeToCommit() throws Exception {
    deploymentPod("web");
    deploymentPod("api");
    controller = new PalisadeController(client, tokens, Mode.LEARN);
    controller.start("127.0.0.1", 0, Duration.ofSeconds(20));
    long web = id("web");
    long api = id("api");
    ApprovedGraph g = new ApprovedGraph();
    g.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("shop-approved").build());
    g.setSpec(new ApprovedGraphSpec());
    ApprovedGraphSpec.Edge e = new ApprovedGraphSpec.Edge();
    e.from = "shop/Deployment/web";
    e.to = "shop/Deployment/api";
    e.port = 9090;
    e.protocol = "TCP";
    e.provenance = new ApprovedGraphSpec.Provenance();
    e.provenance.test = HOSTILE;
    g.getSpec().edges = List.of(e);
    client.resources(ApprovedGraph.class).inNamespace("shop").resource(g).create();
    long now = System.currentTimeMillis();
    String report = "{\"node\":\"lab-node-0\",\"sequence\":1,\"flows\":[{\"src\":" + web + ",\"dst\":" + api
        + ",\"protocol\":\"TCP\",\"port\":9090,\"count\":2,\"first\":" + (now - 1000) + ",\"last\":" + now
        + ",\"srcPods\":[\"shop/web-5d8f-aaaaa\"],\"dstPods\":[\"shop/api-5d8f-aaaaa\"]}]}";
    HttpResponse<String> posted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + controller.port() + "/v1/flows")).header("Authorization", "Bearer " + agent)
        .POST(HttpRequest.BodyPublishers.ofString(report)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, posted.statusCode(), posted.body());

    browser.get("http://127.0.0.1:" + controller.port() + "/");
    browser.findElement(By.id("token")).sendKeys(approver);
    browser.findElement(By.id("login")).click();
    waitUpTo(10).until(d -> d.findElement(By.id("who")).getText().contains("approver"));
    waitUpTo(15).until(d -> "approved".equals(statusOf(WEB_API)));
    waitUpTo(10).until(d -> {
      WebElement box = d.findElement(By.cssSelector("#edges tbody tr[data-key='" + WEB_API + "'] input.pick"));
      box.click();
      return box.isSelected();
    });
    browser.findElement(By.id("reject")).click();

    WebElement dialog = waitUpTo(10).until(d -> {
      WebElement x = d.findElement(By.id("git-dialog"));
      return x.isDisplayed() ? x : null;
    });
    assertTrue(dialog.getText().contains(
        "this edge is managed in git by ApprovedGraph shop/shop-approved: commit this change there"), dialog.getText());
    String patch = dialog.findElement(By.cssSelector("pre.git-patch")).getText();
    assertTrue(patch.contains("name: \"shop-approved\"") && patch.contains("rejected:")
        && patch.contains("edges: []"), patch);
    assertTrue(patch.contains(HOSTILE), "the provenance shown as text: " + patch);
    assertTrue(browser.findElements(By.id("injected")).isEmpty(), "no markup from the patch entered the page");
    assertTrue(browser.findElement(By.id("review-result")).getText().startsWith("409"));

    dialog.findElement(By.cssSelector("button.git-copy")).click();
    waitUpTo(5).until(d -> !d.findElement(By.cssSelector(".git-copied")).getText().isBlank());
    browser.findElement(By.id("git-dialog-close")).click();
    waitUpTo(5).until(d -> !d.findElement(By.id("git-dialog")).isDisplayed());
    // not decided: git's approval stands
    assertEquals("approved", statusOf(WEB_API));
  }
}
