package dev.palisade.lab.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.kernel.netns.NetNs;
import dev.palisade.lab.cluster.Lab;
import dev.palisade.lab.cluster.LabPalisade;
import dev.palisade.lab.net.LabNetwork;
import dev.palisade.lab.net.Prober;
import dev.palisade.testkit.KernelTest;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The review page in real headless Chromium (Debian's chromium and chromedriver) against the lab:
 * sign in, see the learned shop graph, approve an edge and see it turn approved, enforce the
 * namespace, see a blocked attack appear in the drop feed. Leaves a screenshot in target/.
 */
@KernelTest
class ReviewPageIT {
  private static final Duration READY = Duration.ofMinutes(2);
  private static final String WEB_API = "shop/Deployment/web -> shop/Deployment/api 9090/TCP";

  private Lab lab;
  private HeadlessChromium chromium;
  private WebDriver browser;

  @BeforeEach
  void up() throws Exception {
    HeadlessChromium.assumePresent(); // before the lab: a skipped test starts nothing
    lab = Lab.start("rv" + ProcessHandle.current().pid() % 100000, 2);
    try (InputStream in = getClass().getResourceAsStream("/demo/shop.yaml")) {
      lab.apply(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    lab.awaitReady(READY);
    chromium = HeadlessChromium.start(lab.palisade().orElseThrow().certificates().chromiumTrustArgument());
    browser = chromium.browser();
  }

  @AfterEach
  void down() throws Exception {
    try {
      if (chromium != null) {
        chromium.close();
      }
    } finally {
      if (lab != null) {
        String id = lab.id();
        lab.close();
        assertEquals(List.of(), NetNs.list(NetNs.PREFIX + id + "-"), "the lab left namespaces behind");
      }
    }
  }

  private List<LabNetwork.Pod> pods(String workload) {
    return lab.network().pods().stream().filter(p -> p.key().startsWith("shop/" + workload + "-"))
        .sorted(java.util.Comparator.comparing(LabNetwork.Pod::key)).toList();
  }

  private WebDriverWait waitUpTo(int seconds) {
    return chromium.waitUpTo(seconds);
  }

  private String statusOf(String edge) {
    List<WebElement> rows = browser.findElements(By.cssSelector("#edges tbody tr[data-key='" + edge + "']"));
    return rows.isEmpty() ? null : rows.get(0).findElement(By.cssSelector("td.status")).getText();
  }

  @Test
  void aReviewerApprovesEnforcesAndSeesTheAttackDropped() throws Exception {
    LabPalisade pal = lab.palisade().orElseThrow();
    LabNetwork.Pod web = pods("web").get(0);
    LabNetwork.Pod api = pods("api").get(0);
    LabNetwork.Pod db = pods("db").get(0);
    for (int i = 0; i < 5; i++) {
      assertTrue(Prober.connect(web.ns(), api.ip(), 9090, "TCP", Prober.DEFAULT_TIMEOUT, false));
      assertTrue(Prober.connect(api.ns(), db.ip(), 5432, "TCP", Prober.DEFAULT_TIMEOUT, false));
    }
    pal.flushFlows(Duration.ofSeconds(10));

    browser.get(pal.url() + "/");
    browser.findElement(By.id("token")).sendKeys("not-a-token");
    browser.findElement(By.id("login")).click();
    waitUpTo(10).until(d -> d.findElement(By.id("login-error")).getText().contains("401"));

    browser.findElement(By.id("token")).clear();
    browser.findElement(By.id("token")).sendKeys(pal.approverToken());
    browser.findElement(By.id("login")).click();
    waitUpTo(10).until(d -> d.findElement(By.id("who")).getText().contains("approver"));
    waitUpTo(15).until(d -> "learned".equals(statusOf(WEB_API)));
    assertEquals("learned", statusOf("shop/Deployment/api -> shop/StatefulSet/db 5432/TCP"));
    assertFalse(browser.findElements(By.cssSelector("#graph canvas")).isEmpty(), "the graph is drawn");

    // approve web -> api only
    waitUpTo(10).until(d -> {
      WebElement box = d.findElement(By.cssSelector("#edges tbody tr[data-key='" + WEB_API + "'] input.pick"));
      box.click();
      return box.isSelected();
    });
    browser.findElement(By.id("approve")).click();
    waitUpTo(15).until(d -> "approved".equals(statusOf(WEB_API)));
    waitUpTo(10).until(d -> {
      d.findElement(By.cssSelector("#edges tbody tr[data-key='" + WEB_API + "'] td.source")).click();
      return d.findElement(By.id("evidence")).getText().contains("web-");
    });
    assertTrue(browser.findElement(By.id("evidence")).getText().contains("connections"));

    // enforce the namespace from the page
    browser.findElement(By.id("mode-ns")).sendKeys("shop");
    new Select(browser.findElement(By.id("mode-value"))).selectByVisibleText("enforce");
    browser.findElement(By.id("mode-set")).click();
    waitUpTo(10).until(d -> d.findElement(By.id("mode-result")).getText().contains("shop is now enforce"));
    lab.awaitReady(READY);

    // the approved edge still connects; the attack web -> db is dropped and shows in the feed
    assertTrue(Prober.probe(web, api.ip(), 9090, "TCP", Prober.DEFAULT_TIMEOUT), "approved web -> api");
    assertFalse(Prober.probe(web, db.ip(), 5432, "TCP", Prober.DEFAULT_TIMEOUT), "attack web -> db");
    pal.flushFlows(Duration.ofSeconds(5));
    waitUpTo(20).until(d -> d.findElement(By.id("feed")).getText()
        .contains("DROP shop/Deployment/web -> shop/StatefulSet/db 5432/TCP"));
    waitUpTo(10).until(d -> d.findElement(By.id("audit")).getText().contains("approve"));
    assertTrue(browser.findElement(By.id("audit")).getText().contains("enforce"));

    Path shot = Path.of("target", "review-page.png");
    Files.createDirectories(shot.getParent());
    Files.write(shot, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    assertTrue(Files.size(shot) > 10_000, "a screenshot of the page: " + shot.toAbsolutePath());
  }
}
