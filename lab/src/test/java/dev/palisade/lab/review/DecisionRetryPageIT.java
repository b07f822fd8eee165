package dev.palisade.lab.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.MockApiServer;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.StaticTokens;
import dev.palisade.controller.service.PalisadeController;
import dev.palisade.model.Mode;
import dev.palisade.model.crd.WorkloadIdentity;
import dev.palisade.testkit.AnswerLosingProxy;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The review page in real headless Chromium, through a proxy that loses the controller's answers
 * after it decided (a reset connection, a gateway's 504 or a 503): each user action carries one
 * id, is sent again with it, and is applied and audited once. No kernel needed: the controller
 * runs on fabric8's in-memory API server.
 */
@MockApiServer
class DecisionRetryPageIT {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String WEB_DB = "shop/Pod/web -> shop/Pod/db 5432/TCP";
  /** What decisionId() in app.js makes. */
  private static final String PAGE_ID = "page-[0-9a-f]{32}";

  KubernetesClient client;
  private final StaticTokens tokens = new StaticTokens();
  private final String approver = tokens.issue(new Principal("alice", Role.APPROVER));
  private PalisadeController controller;
  @AutoClose private AnswerLosingProxy proxy;
  @AutoClose private HeadlessChromium chromium;
  private WebDriver browser;

  @BeforeEach
  void up() throws Exception {
    chromium = HeadlessChromium.start(); // first: without Chromium the test is skipped before anything starts
    browser = chromium.browser();
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build())
        .createOr(x -> x.update());
    for (String name : List.of("web", "db")) {
      client.pods().inNamespace("shop").resource(new PodBuilder().withMetadata(new ObjectMetaBuilder()
          .withNamespace("shop").withName(name).withLabels(Map.of("app", name)).build()).withNewSpec()
          .withNodeName("lab-node-0").endSpec().build()).createOr(x -> x.update());
    }
    controller = new PalisadeController(client, tokens, Mode.LEARN);
    controller.start("127.0.0.1", 0, Duration.ofSeconds(20));
    reportWebToDb();
    proxy = AnswerLosingProxy.to(controllerUrl());
  }

  /** Before the mock API server goes: its informers and writers stop while they still have one. */
  @AfterEach
  void stopController() {
    if (controller != null) {
      controller.close();
    }
  }

  private String controllerUrl() {
    return "http://127.0.0.1:" + controller.port();
  }

  private void reportWebToDb() throws Exception {
    long now = System.currentTimeMillis();
    String report = "{\"node\":\"lab-node-0\",\"sequence\":1,\"flows\":[{\"src\":" + id("pod-web") + ",\"dst\":"
        + id("pod-db") + ",\"protocol\":\"TCP\",\"port\":5432,\"count\":2,\"first\":" + (now - 1000) + ",\"last\":"
        + now + ",\"srcPods\":[\"shop/web\"],\"dstPods\":[\"shop/db\"]}]}";
    HttpResponse<String> r = call("POST", "/v1/flows", tokens.issue(new Principal("lab-node-0", Role.AGENT)), report);
    assertEquals(200, r.statusCode(), r.body());
  }

  private long id(String name) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (client.resources(WorkloadIdentity.class).inNamespace("shop").withName(name).get() == null) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no identity for " + name);
      }
      Thread.sleep(20);
    }
    return client.resources(WorkloadIdentity.class).inNamespace("shop").withName(name).get().getSpec().id;
  }

  private HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(controllerUrl() + path))
        .header("Authorization", "Bearer " + token)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The audit log's entries of one action, straight from the controller. */
  private List<JsonNode> audited(String action) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    JSON.readTree(call("GET", "/v1/audit", approver, null).body()).forEach(e -> {
      if (action.equals(e.path("action").asString())) {
        out.add(e);
      }
    });
    return out;
  }

  /** Every POST to the path was the same body, with one id of the page's. */
  private void sentAgainUnchanged(String path, int times) {
    List<String> sent = proxy.posted(path);
    assertEquals(times, sent.size(), path + ": " + sent);
    sent.forEach(body -> assertEquals(sent.get(0), body, path + ": the same action with the same id"));
    assertTrue(JSON.readTree(sent.get(0)).path("id").asString().matches(PAGE_ID), sent.get(0));
  }

  private void signIn() {
    browser.get(proxy.url() + "/");
    browser.findElement(By.id("token")).sendKeys(approver);
    browser.findElement(By.id("login")).click();
    chromium.waitUpTo(10).until(d -> d.findElement(By.id("who")).getText().contains("approver"));
  }

  private String textOf(String id) {
    return browser.findElement(By.id(id)).getText();
  }

  @Test
  void anActionWhoseAnswerIsLostIsSentAgainWithItsIdAndAppliedOnce() throws Exception {
    proxy.lose("/v1/review", AnswerLosingProxy.UNANSWERED).lose("/v1/mode", 504);
    signIn();
    chromium.waitUpTo(15).until(d -> {
      WebElement box = d.findElement(By.cssSelector("#edges tbody tr[data-key='" + WEB_DB + "'] input.pick"));
      box.click();
      return box.isSelected();
    });
    browser.findElement(By.id("approve")).click();
    chromium.waitUpTo(15).until(d -> textOf("review-result").startsWith("approved: 1 edge(s)"));
    sentAgainUnchanged("/v1/review", 2);

    browser.findElement(By.id("mode-ns")).sendKeys("shop");
    new Select(browser.findElement(By.id("mode-value"))).selectByVisibleText("enforce");
    browser.findElement(By.id("mode-set")).click();
    chromium.waitUpTo(15).until(d -> textOf("mode-result").equals("shop is now enforce"));
    sentAgainUnchanged("/v1/mode", 2);

    assertEquals(1, audited("approve").size(), "one click, one decision");
    assertEquals(1, audited("mode").size());
    assertNotEquals(JSON.readTree(proxy.posted("/v1/review").get(0)).path("id").asString(),
        JSON.readTree(proxy.posted("/v1/mode").get(0)).path("id").asString(), "each action its own id");
  }

  @Test
  void anActionLostEveryTimeIsSentAgainByHandWithTheSameId() throws Exception {
    for (int i = 0; i < 5; i++) {
      proxy.lose("/v1/snapshots", 503);
    }
    signIn();
    browser.findElement(By.id("snap-name")).sendKeys("before-review");
    browser.findElement(By.id("snap-take")).click();
    WebElement again = chromium.waitUpTo(20).until(d -> d.findElement(By.cssSelector("#diff button.send-again")));
    assertTrue(textOf("diff").contains("sent 5 times, it may or may not have taken effect"), textOf("diff"));
    again.click();
    chromium.waitUpTo(10).until(d -> textOf("diff").startsWith("snapshot before-review kept"));
    sentAgainUnchanged("/v1/snapshots", 6);
    assertEquals(1, audited("snapshot").size(), "six sends, one snapshot");
  }
}
