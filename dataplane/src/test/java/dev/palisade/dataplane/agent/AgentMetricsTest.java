package dev.palisade.dataplane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dataplane.metrics.ScrapedSamples;
import dev.palisade.dataplane.render.AllowRect;
import dev.palisade.dataplane.render.Interval;
import dev.palisade.dataplane.render.NodeRules;
import dev.palisade.dataplane.render.NodeRules.Direction;
import dev.palisade.dataplane.render.NodeRules.Enforcement;
import dev.palisade.dataplane.render.NodeRules.Group;
import dev.palisade.kernel.conntrack.ConntrackEvent;
import dev.palisade.kernel.nflog.NflogEvent;
import dev.palisade.kernel.nft.FakeNftables;
import dev.palisade.model.FlowReport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The agent's families move as the events they count happen, read back from the text exposition. */
class AgentMetricsTest {
  private final AgentMetrics metrics = new AgentMetrics();
  private final TrafficObserver traffic = new TrafficObserver(metrics);

  private ScrapedSamples scrape() {
    return ScrapedSamples.of(metrics.registry());
  }

  private static NflogEvent logged(String prefix) {
    return new NflogEvent(100, prefix, "10.1.0.9", "10.1.0.5", 6, 40000, 80, System.currentTimeMillis());
  }

  @Test
  void aDropMovesTheDropCounterOfItsKindAndAWouldDropItsOwn() {
    assertEquals(0, scrape().sum("palisade_agent_drops_total", Map.of("kind", "enforce")));
    assertTrue(scrape().has("palisade_agent_drops_total"), "the drop counters exist at 0 before any drop");
    traffic.onLog(logged("pal:enforce:in:g5"));
    traffic.onLog(logged("pal:enforce:in:g5"));
    traffic.onLog(logged("pal:np:out:g5"));
    traffic.onLog(logged("pal:monitor:in:g5"));
    traffic.onLog(logged("pal:v6:in:v6"));
    traffic.onLog(logged("someone-else:x")); // not Palisade's: not counted
    ScrapedSamples s = scrape();
    assertEquals(2, s.sum("palisade_agent_drops_total", Map.of("kind", "enforce")));
    assertEquals(1, s.sum("palisade_agent_drops_total", Map.of("kind", "np")));
    assertEquals(1, s.sum("palisade_agent_drops_total", Map.of("kind", "v6")));
    assertEquals(4, s.sum("palisade_agent_drops_total"));
    assertEquals(1, s.sum("palisade_agent_would_drops_total", Map.of("kind", "monitor")));
  }

  @Test
  void conntrackEventsAreCountedByTypeAndLossesApart() {
    traffic.onConnection(ConntrackEvent.tcp(ConntrackEvent.Type.NEW, "10.1.0.9", 40000, "10.1.0.5", 80));
    traffic.onConnection(ConntrackEvent.tcp(ConntrackEvent.Type.DESTROY, "10.1.0.9", 40000, "10.1.0.5", 80));
    metrics.onConntrackLost();
    ScrapedSamples s = scrape();
    assertEquals(1, s.sum("palisade_agent_conntrack_events_total", Map.of("type", "new")));
    assertEquals(1, s.sum("palisade_agent_conntrack_events_total", Map.of("type", "destroy")));
    assertEquals(1, s.sum("palisade_agent_conntrack_events_lost_total"));
  }

  @Test
  void reportedFlowsAndFailedReportsAreCounted() {
    AtomicBoolean refuse = new AtomicBoolean(true);
    ControllerReporter reporter = new ControllerReporter("n1", traffic, (FlowReport r) -> {
      if (refuse.get()) {
        throw new IllegalStateException("controller unreachable");
      }
    }, metrics);
    traffic.localPods(Map.of("10.1.0.9", 300L));
    traffic.assign("10.1.0.9", "prod/web", 300L);
    traffic.onConnection(ConntrackEvent.tcp(ConntrackEvent.Type.NEW, "10.1.0.9", 40000, "10.1.0.5", 80));
    reporter.report();
    assertEquals(1, scrape().sum("palisade_agent_report_failures_total", Map.of("report", "flows")));
    assertEquals(0, scrape().sum("palisade_agent_flows_reported_total"));
    refuse.set(false);
    reporter.report(); // the kept record goes with the next report
    assertEquals(1, scrape().sum("palisade_agent_flows_reported_total"));
    reporter.close();
  }

  @Test
  void familiesReadFromTheAgentShowItsStateWhenScraped() {
    long[] repairs = {0};
    metrics.readFrom(new AgentMetrics.Readings() {
      @Override
      public Map<String, Integer> rulesetElements() {
        return Map.of("ingress_dispatch", 3, "approved_g5", 7);
      }

      @Override
      public long applyFailures() {
        return 1;
      }

      @Override
      public long resyncs() {
        return 2;
      }

      @Override
      public long tamperRepairs() {
        return repairs[0];
      }

      @Override
      public long syncFailures() {
        return 0;
      }

      @Override
      public long connectionsCut() {
        return 0;
      }

      @Override
      public long commits() {
        return 9;
      }

      @Override
      public long longestCommitNanos() {
        return 12_500_000;
      }

      @Override
      public int podsCovered() {
        return 4;
      }
    });
    assertEquals(0, scrape().sum("palisade_agent_tamper_repairs_total"));
    repairs[0] = 2;
    ScrapedSamples s = scrape();
    assertEquals(2, s.sum("palisade_agent_tamper_repairs_total"));
    assertEquals(7, s.sum("palisade_agent_ruleset_elements", Map.of("set", "approved_g5")));
    assertEquals(10, s.sum("palisade_agent_ruleset_elements"));
    assertEquals(4, s.sum("palisade_agent_pods_covered"));
    assertEquals(1, s.sum("palisade_agent_apply_failures_total"));
    assertEquals(2, s.sum("palisade_agent_resyncs_total"));
    assertEquals(9, s.sum("palisade_agent_commits_total"));
    assertEquals(0.0125, s.sum("palisade_agent_longest_commit_seconds"), 1e-12);
  }

  /**
   * The commit figures come from the agent's own writer: a first agent writes its table; one
   * restarted over that table (a new KernelSync, the kernel's table kept) finds nothing to write and
   * shows no commit until its rules change; the longest commit is the longest of its own life.
   */
  @Test
  void commitsAndTheLongestCommitAreTheAgentsOwnFromItsStart() {
    FakeNftables nft = new FakeNftables();
    NodeRules before = rules("10.100.0.1");
    KernelSync first = new KernelSync("n1", nft, null);
    first.apply(before);
    ScrapedSamples s = scrape(first);
    assertTrue(s.sum("palisade_agent_commits_total") >= 1, "the first agent wrote its table");
    assertTrue(s.sum("palisade_agent_longest_commit_seconds") > 0);

    KernelSync restarted = new KernelSync("n1", nft, null);
    restarted.apply(before);
    s = scrape(restarted);
    assertEquals(0, s.sum("palisade_agent_commits_total"), "an unchanged table: the restart commits nothing");
    assertEquals(0, s.sum("palisade_agent_longest_commit_seconds"));
    restarted.apply(rules("10.100.0.3"));
    s = scrape(restarted);
    assertEquals(1, s.sum("palisade_agent_commits_total"), "one peer replaced: one commit");
    assertTrue(s.sum("palisade_agent_longest_commit_seconds") > 0);
    assertEquals(restarted.longestCommitNanos() / 1e9, s.sum("palisade_agent_longest_commit_seconds"), 1e-12);
  }

  private static ScrapedSamples scrape(KernelSync kernel) {
    try (SyncRunner runner = new SyncRunner("n1", () -> true, Duration.ofMillis(1), Duration.ofSeconds(5),
        Duration.ofSeconds(60))) {
      return ScrapedSamples.of(new AgentMetrics().readFrom(new KernelReadings(kernel, runner, () -> 1)).registry());
    }
  }

  /** One enforced pod admitting {@code peer} on TCP 20000. */
  private static NodeRules rules(String peer) {
    long ip = Interval.parseIp(peer);
    Direction in = new Direction(false, Set.of(), Set.of(), Enforcement.ENFORCE, Set.of(),
        Set.of(new AllowRect(new Interval(ip, ip), AllowRect.Proto.TCP, Interval.port(20000))));
    return new NodeRules(List.of(new Group("1000", 1000, Set.of("10.244.0.10"), in, Direction.OPEN)));
  }

  @Test
  void syncDurationsAndPodStartsAreHistogramsAndTheSyncIsLabelledByItsMostTellingCause() {
    metrics.onSync(SyncCause.of(Set.of(SyncCause.INFORMER, SyncCause.TAMPER)), 3_000_000);
    metrics.onSync(SyncCause.of(Set.of()), 1_000_000);
    metrics.onPodCovered(20_000_000);
    ScrapedSamples s = scrape();
    assertEquals(1, s.sum("palisade_agent_sync_duration_seconds_count", Map.of("cause", "tamper")));
    assertEquals(1, s.sum("palisade_agent_sync_duration_seconds_count", Map.of("cause", "periodic")));
    assertEquals(0.003, s.sum("palisade_agent_sync_duration_seconds_sum", Map.of("cause", "tamper")), 1e-9);
    assertEquals(1, s.sum("palisade_agent_pod_rules_seconds_bucket", Map.of("le", "0.025")));
    assertEquals(0, s.sum("palisade_agent_pod_rules_seconds_bucket", Map.of("le", "0.01")));
  }

  @Test
  void drainingCausesLeavesWhatWasNotTaken() {
    Set<String> pending = new java.util.HashSet<>(List.of(SyncCause.POD_START, SyncCause.VERIFY));
    assertEquals(Set.of(SyncCause.POD_START, SyncCause.VERIFY), SyncCause.drain(pending));
    assertTrue(pending.isEmpty());
    assertEquals(SyncCause.VERIFY, SyncCause.of(Set.of(SyncCause.POD_START, SyncCause.VERIFY)));
  }
}
