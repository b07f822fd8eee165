package dev.palisade.controller.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.palisade.controller.ingest.FlowVetting.PodFacts;
import dev.palisade.controller.ingest.FlowVetting.Reason;
import dev.palisade.model.FlowKey;
import dev.palisade.model.FlowRecord;
import dev.palisade.model.FlowReport;
import dev.palisade.model.Identities;
import dev.palisade.model.Protocol;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlowVettingTest {
  private static final long NOW = 1_800_000_000_000L;
  private static final long WEB = 300;
  private static final long DB = 301;
  /** web runs on node-a, db on node-b. */
  private static final Map<String, PodFacts> PODS = Map.of(
      "shop/web-1", new PodFacts("node-a", WEB),
      "shop/db-0", new PodFacts("node-b", DB));

  private static FlowRecord rec(long src, long dst, long count, long first, long last, List<String> srcPods,
      List<String> dstPods) {
    return new FlowRecord(new FlowKey(src, dst, Protocol.TCP, 5432), count, first, last, srcPods, dstPods);
  }

  private static Reason judge(String node, FlowRecord r) {
    return FlowVetting.judge(r, node, PODS::get, NOW);
  }

  @Test
  void aNodeTeachesWhatItsOwnPodsDidAtEitherEnd() {
    FlowRecord webToDb = rec(WEB, DB, 3, NOW - 5000, NOW - 1000, List.of("shop/web-1"), List.of("shop/db-0"));
    assertEquals(null, judge("node-a", webToDb), "egress seen at the source's node");
    assertEquals(null, judge("node-b", webToDb), "ingress seen at the destination's node");
    assertEquals(Reason.NOT_LOCAL, judge("node-c", webToDb), "a third node saw neither end");
    // kubelet probes and the outside: one end reserved, the other a local pod
    assertEquals(null, judge("node-b", rec(Identities.HOST, DB, 1, NOW, NOW, List.of(), List.of("shop/db-0"))));
    assertEquals(Reason.NOT_LOCAL, judge("node-a", rec(Identities.WORLD, DB, 1, NOW, NOW, List.of(),
        List.of("shop/db-0"))));
    assertEquals(Reason.NOT_LOCAL, judge("node-a", rec(WEB, DB, 1, NOW, NOW, List.of(), List.of())),
        "naming no pod proves nothing");
    assertEquals(Reason.NOT_LOCAL, judge("node-a", rec(WEB, DB, 1, NOW, NOW, List.of("shop/ghost"), List.of())),
        "a pod the controller does not know proves nothing");
  }

  @Test
  void aPodNamedForAnotherIdentityIsAForgery() {
    // node-a's agent claims web's pod connected as db to web: its own pod, the wrong workload
    assertEquals(Reason.WRONG_IDENTITY, judge("node-a", rec(DB, WEB, 1, NOW, NOW, List.of("shop/web-1"), List.of())));
    assertEquals(Reason.WRONG_IDENTITY, judge("node-a", rec(WEB, 999, 1, NOW, NOW, List.of("shop/web-1"),
        List.of("shop/db-0"))));
  }

  @Test
  void timesNearNowAndCountsANodeCanMake() {
    List<String> web = List.of("shop/web-1");
    assertEquals(Reason.FUTURE, judge("node-a", rec(WEB, DB, 1, NOW, NOW + FlowVetting.MAX_SKEW_MILLIS + 1, web,
        List.of())));
    assertEquals(null, judge("node-a", rec(WEB, DB, 1, NOW, NOW + FlowVetting.MAX_SKEW_MILLIS, web, List.of())),
        "clocks a little apart");
    assertEquals(Reason.STALE, judge("node-a", rec(WEB, DB, 1, 1000, 2000, web, List.of())));
    assertEquals(null, judge("node-a", rec(WEB, DB, FlowVetting.MAX_CONNECTIONS_PER_SECOND * 10, NOW - 10_000, NOW,
        web, List.of())));
    assertEquals(Reason.IMPLAUSIBLE_COUNT, judge("node-a", rec(WEB, DB, FlowVetting.MAX_CONNECTIONS_PER_SECOND * 10
        + 1, NOW - 10_000, NOW, web, List.of())));
  }

  @Test
  void oneBadRecordIsRefusedAndCountedTheRestStillTeach() {
    FlowReport report = new FlowReport("node-a", 7, List.of(
        rec(WEB, DB, 3, NOW - 5000, NOW, List.of("shop/web-1"), List.of("shop/db-0")),
        rec(DB, WEB, 3, NOW - 5000, NOW, List.of("shop/db-0"), List.of("shop/web-1")),
        rec(WEB, DB, 3, 1000, 2000, List.of("shop/web-1"), List.of()),
        rec(WEB, DB, 3, 1000, 2000, List.of("shop/web-1"), List.of())));
    FlowVetting.Verdict v = FlowVetting.vet(report, PODS::get, NOW);
    assertEquals(2, v.accepted().size(), "web -> db and its reply direction seen at web's node");
    assertEquals(Map.of(Reason.STALE, 2), v.refused());
    assertEquals(2, v.refusedCount());
  }

  @Test
  void aDeletedPodIsRememberedAsLongAsAReportMayNameIt() {
    GonePods gone = new GonePods(2);
    gone.deleted("shop/job-a", new PodFacts("node-a", WEB), NOW);
    assertEquals(new PodFacts("node-a", WEB), gone.of("shop/job-a", NOW + FlowVetting.MAX_AGE_MILLIS));
    assertEquals(null, gone.of("shop/job-a", NOW + FlowVetting.MAX_AGE_MILLIS + 1), "too old to be reported");
    gone.deleted("shop/b", new PodFacts("node-a", WEB), NOW);
    gone.deleted("shop/c", new PodFacts("node-a", WEB), NOW);
    gone.deleted("shop/d", new PodFacts("node-a", WEB), NOW);
    assertEquals(2, gone.size(), "bounded: the oldest went");
    assertEquals(null, gone.of("shop/b", NOW));
    gone.created("shop/d");
    assertEquals(null, gone.of("shop/d", NOW), "a new pod of that name is not the gone one");
  }

  @Test
  void aFlowToTheWorldTeachesWithItsOutsideEndWhenThatIsANameOrAnAddress() {
    for (String outside : new String[] {"dns:api.payments.example", "203.0.113.10", "2001:db8::1", "::1",
        "2001:db8:0:0:0:0:0:1"}) {
      FlowRecord r = new FlowRecord(new FlowKey(WEB, Identities.WORLD, Protocol.TCP, 443, outside), 1, NOW, NOW,
          List.of("shop/web-1"), List.of());
      assertEquals(null, judge("node-a", r), outside);
    }
    // the wire format lets these through (FlowKey's check is loose); none may become a vertex
    for (String outside : new String[] {"999.1.1.1", "1.2.3", "01.2.3.4", "1.2.3.4.5", "2001:db8:::1",
        "1:2:3:4:5:6:7:8:9", "12345::1", "1::2::3"}) {
      FlowRecord r = new FlowRecord(new FlowKey(WEB, Identities.WORLD, Protocol.TCP, 443, outside), 1, NOW, NOW,
          List.of("shop/web-1"), List.of());
      assertEquals(Reason.MALFORMED_OUTSIDE, judge("node-a", r), outside);
    }
  }
}
