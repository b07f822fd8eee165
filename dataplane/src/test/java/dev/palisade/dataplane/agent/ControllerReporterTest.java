package dev.palisade.dataplane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.kernel.conntrack.ConntrackEvent;
import dev.palisade.model.FlowReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A report that was not answered is sent again as it was, sequence and all, before anything newer. */
class ControllerReporterTest {
  private final AgentMetrics metrics = new AgentMetrics();
  private final TrafficObserver traffic = new TrafficObserver(metrics);
  private final List<FlowReport> attempts = new ArrayList<>();
  private boolean refuse = true;

  private void connect(int port) {
    traffic.onConnection(ConntrackEvent.tcp(ConntrackEvent.Type.NEW, "10.1.0.9", 40000 + port, "10.1.0.5", port));
  }

  @Test
  void aRetryCarriesTheSameSequenceAndTheSameRecords() {
    ControllerReporter reporter = new ControllerReporter("n1", traffic, r -> {
      attempts.add(r);
      if (refuse) {
        throw new IllegalStateException("timed out (the controller may have applied it)");
      }
    }, metrics);
    traffic.localPods(Map.of("10.1.0.9", 300L));
    traffic.assign("10.1.0.9", "prod/web", 300L);
    connect(80);
    reporter.report();
    connect(8080); // newer traffic while the first report is unanswered
    refuse = false;
    reporter.report();
    reporter.report();
    assertEquals(3, attempts.size());
    assertEquals(attempts.get(0), attempts.get(1), "the retry is the same report");
    assertTrue(attempts.get(2).sequence() > attempts.get(1).sequence(), "the newer traffic goes in a new report");
    assertEquals(List.of(8080), attempts.get(2).flows().stream().map(f -> f.key().port()).toList());
    assertEquals(List.of(80), attempts.get(1).flows().stream().map(f -> f.key().port()).toList());
    reporter.close();
  }
}
