package dev.palisade.lab.review;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's chromium and chromedriver, headless, for the review page's tests against a controller
 * on loopback. The test is skipped without them, and fails with CI=true, where they must be.
 */
final class HeadlessChromium implements AutoCloseable {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private final Path profile;
  private final WebDriver browser;

  private HeadlessChromium(Path profile, WebDriver browser) {
    this.profile = profile;
    this.browser = browser;
  }

  /** Skips the test without Chromium (fails it with CI=true): call it first when starting the browser comes late. */
  static void assumePresent() {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!present && "true".equals(System.getenv("CI"))) {
      throw new AssertionError("CI=true but " + CHROMIUM + " or " + CHROMEDRIVER + " is missing: "
          + "scripts/install-deps.sh installs chromium and chromium-driver with PALISADE_BROWSER=1");
    }
    Assumptions.assumeTrue(present, "skipped: no " + CHROMIUM + " / " + CHROMEDRIVER
        + " (PALISADE_BROWSER=1 scripts/install-deps.sh installs them)");
  }

  /** A browser with a fresh profile; {@code extraArguments} are Chromium's (a certificate to trust). */
  static HeadlessChromium start(String... extraArguments) throws IOException {
    assumePresent();
    Path profile = Files.createTempDirectory("pal-chromium-");
    ChromeOptions o = new ChromeOptions();
    o.setBinary(CHROMIUM.toFile());
    // As root and on a machine without internet: no sandbox, and none of Chromium's own calls home.
    List<String> args = new ArrayList<>(List.of("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1500,1100", "--user-data-dir=" + profile));
    args.addAll(List.of(extraArguments));
    o.addArguments(args);
    return new HeadlessChromium(profile, new ChromeDriver(new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build(), o));
  }

  WebDriver browser() {
    return browser;
  }

  /** A wait that looks again when the page redrew an element it had found (it redraws every few seconds). */
  WebDriverWait waitUpTo(int seconds) {
    return (WebDriverWait) new WebDriverWait(browser, Duration.ofSeconds(seconds))
        .ignoring(org.openqa.selenium.StaleElementReferenceException.class);
  }

  @Override
  public void close() throws IOException {
    try {
      browser.quit();
    } finally {
      try (var files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
