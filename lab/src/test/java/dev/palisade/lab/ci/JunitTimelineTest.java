package dev.palisade.lab.ci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.model.Protocol;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The app's JUnit XML as a timeline of test cases, and a new edge's provenance.test from it. */
class JunitTimelineTest {
  private static final Path DIR = Path.of("src/test/resources/ci/junit");
  private static final ZoneId UTC = ZoneId.of("UTC");
  @TempDir Path tmp;

  private static long at(String iso) {
    return Instant.parse(iso).toEpochMilli();
  }

  @Test
  void eachCaseStartsWhereTheCasesBeforeItEnded() {
    JunitTimeline t = JunitTimeline.read(List.of(DIR.resolve("surefire-like.xml")), UTC);
    assertEquals(List.of(
        new JunitTimeline.TestCase("shop.CheckoutIT.listsProducts", at("2026-11-30T10:00:00Z"), at("2026-11-30T10:00:02Z")),
        new JunitTimeline.TestCase("shop.CheckoutIT.paysWithCoupon", at("2026-11-30T10:00:02Z"), at("2026-11-30T10:00:07.500Z")),
        new JunitTimeline.TestCase("shop.CheckoutIT.refunds", at("2026-11-30T10:00:07.500Z"), at("2026-11-30T10:00:09.500Z"))),
        t.cases());
  }

  @Test
  void theCaseRunningWhenTheEdgeWasFirstSeenNamesIt() {
    JunitTimeline t = JunitTimeline.read(List.of(DIR.resolve("surefire-like.xml"), DIR.resolve("pytest-like.xml")), UTC);
    // row: first seen -> test
    // row: first seen -> test; the pytest suite runs beside the Surefire one (from 11:00:01+01:00, its own offset)
    Object[][] rows = {
        {"2026-11-30T10:00:00Z", "shop.CheckoutIT.listsProducts"},
        {"2026-11-30T10:00:00.999Z", "shop.CheckoutIT.listsProducts"},
        {"2026-11-30T10:00:01Z", "tests.test_api.test_stock"},      // parallel: the case that started last
        {"2026-11-30T10:00:02.500Z", "tests.test_api.test_metrics"},
        {"2026-11-30T10:00:03Z", "shop.CheckoutIT.paysWithCoupon"}, // the pytest suite ended
        {"2026-11-30T10:00:09Z", "shop.CheckoutIT.refunds"},
        {"2026-11-30T10:00:11Z", "shop.CheckoutIT.refunds"},        // within the grace after the last case
        {"2026-11-30T10:00:12Z", null},                             // after it
        {"2026-11-30T09:59:59Z", null},                             // before any case
    };
    for (Object[] r : rows) {
      assertEquals(Optional.ofNullable((String) r[1]), t.runningAt(at((String) r[0])), (String) r[0]);
    }
    assertEquals(Optional.empty(), t.runningAt(0), "an edge with no first-seen time has no test");
  }

  @Test
  void aTimestampWithoutOffsetIsReadInTheZoneGiven() {
    JunitTimeline t = JunitTimeline.read(List.of(DIR.resolve("surefire-like.xml")), ZoneId.of("Europe/Berlin"));
    assertEquals(at("2026-11-30T09:00:00Z"), t.cases().get(0).start());
  }

  @Test
  void malformedOrUnplaceableReportsAreBadInputNamingTheFile() throws Exception {
    Path broken = DIR.resolve("broken.xml");
    CiInputException e = assertThrows(CiInputException.class, () -> JunitTimeline.read(List.of(broken), UTC));
    assertTrue(e.getMessage().startsWith(broken + ": not well-formed JUnit XML: line "), e.getMessage());

    Path noTime = Files.writeString(tmp.resolve("no-time.xml"),
        "<testsuite name=\"s\"><testcase classname=\"c\" name=\"n\" time=\"1\"/></testsuite>");
    e = assertThrows(CiInputException.class, () -> JunitTimeline.read(List.of(noTime), UTC));
    assertTrue(e.getMessage().startsWith(noTime + ": <testsuite name=\"s\"> has no timestamp"), e.getMessage());

    Path badTime = Files.writeString(tmp.resolve("bad-time.xml"),
        "<testsuite name=\"s\" timestamp=\"yesterday\"><testcase name=\"n\" time=\"1\"/></testsuite>");
    e = assertThrows(CiInputException.class, () -> JunitTimeline.read(List.of(badTime), UTC));
    assertTrue(e.getMessage().contains(badTime + ": <testsuite name=\"s\"> timestamp: must be an ISO-8601"), e.getMessage());

    Path badSeconds = Files.writeString(tmp.resolve("bad-seconds.xml"),
        "<testsuite name=\"s\" timestamp=\"2026-11-30T10:00:00\"><testcase name=\"n\" time=\"-1\"/></testsuite>");
    e = assertThrows(CiInputException.class, () -> JunitTimeline.read(List.of(badSeconds), UTC));
    assertTrue(e.getMessage().contains(badSeconds + ": <testcase name=\"n\"> time: must be seconds"), e.getMessage());

    Path html = Files.writeString(tmp.resolve("report.html"), "<html><body/></html>");
    e = assertThrows(CiInputException.class, () -> JunitTimeline.read(List.of(html), UTC));
    assertTrue(e.getMessage().contains("the root element is <html>"), e.getMessage());

    Path xxe = Files.writeString(tmp.resolve("xxe.xml"), "<?xml version=\"1.0\"?><!DOCTYPE t [<!ENTITY x SYSTEM "
        + "\"file:///etc/passwd\">]><testsuite name=\"&x;\" timestamp=\"2026-11-30T10:00:00\"/>");
    e = assertThrows(CiInputException.class, () -> JunitTimeline.read(List.of(xxe), UTC));
    assertTrue(e.getMessage().startsWith(xxe + ": not well-formed JUnit XML"), e.getMessage());
  }

  @Test
  void thePatchNamesTheTestInProvenance() {
    JunitTimeline t = JunitTimeline.read(List.of(DIR.resolve("surefire-like.xml")), UTC);
    CiEdge coupons = new CiEdge("ci-shop/Deployment/api", "ci-shop/Deployment/coupons", 7070, Protocol.TCP);
    ObservedEdge seen = new ObservedEdge(coupons, 3, 0, List.of("ci-shop/api-1"), "--exec ci-shop/web-1 -- mvn verify",
        at("2026-11-30T10:00:03Z"));
    String patch = ApprovedGraphPatch.forNewEdges(List.of(new Finding(coupons, Verdict.NEW, seen, null)),
        "palisade ci run", t);
    assertTrue(patch.contains("      test: \"shop.CheckoutIT.paysWithCoupon\"\n"), patch);
    assertTrue(patch.contains("      command: \"--exec ci-shop/web-1 -- mvn verify\"\n"), patch);
    // without reports, or seen outside every case: no test named
    assertTrue(!ApprovedGraphPatch.forNewEdges(List.of(new Finding(coupons, Verdict.NEW, seen, null)), "x")
        .contains("test:"));
  }
}
