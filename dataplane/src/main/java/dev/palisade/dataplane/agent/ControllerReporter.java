package dev.palisade.dataplane.agent;

import dev.palisade.dataplane.flow.FlowSink;
import dev.palisade.model.DropEvent;
import dev.palisade.model.FlowRecord;
import dev.palisade.model.FlowReport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends what {@link TrafficObserver} gathered to the controller, every second, on a thread of its
 * own: a slow or unreachable controller (HTTP timeouts) never delays a rule sync. A refused or
 * failed flow report is kept and sent with the next one.
 */
final class ControllerReporter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ControllerReporter.class);

  private final String nodeName;
  private final TrafficObserver traffic;
  private final FlowSink sink;
  private final List<FlowRecord> unsent = new ArrayList<>();
  /** The report sent last and not yet answered: resent as it is, with its sequence, so the controller can tell a repeat. */
  private FlowReport pending;
  private final AtomicLong sequence = new AtomicLong(System.currentTimeMillis());
  private final ScheduledExecutorService thread;
  private final AgentMetrics metrics;

  ControllerReporter(String nodeName, TrafficObserver traffic, FlowSink sink, AgentMetrics metrics) {
    this.nodeName = nodeName;
    this.metrics = metrics;
    this.traffic = traffic;
    this.sink = sink;
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "report-" + nodeName);
      t.setDaemon(true);
      return t;
    });
  }

  void start() {
    thread.scheduleWithFixedDelay(this::report, 1, 1, TimeUnit.SECONDS);
  }

  /** Sends everything gathered so far, now (on the caller's thread). */
  synchronized void report() {
    List<DropEvent> drops = traffic.drainDrops();
    if (!drops.isEmpty()) {
      try {
        sink.sendDrops(nodeName, drops);
      } catch (RuntimeException e) {
        metrics.onReportFailed("drops");
        LOG.warn("{}: {} drop events not delivered: {}", nodeName, drops.size(), e.getMessage());
      }
    }
    unsent.addAll(traffic.drainFlows());
    if (pending == null) {
      if (unsent.isEmpty()) {
        return;
      }
      List<FlowRecord> batch = new ArrayList<>(unsent.subList(0, Math.min(unsent.size(), FlowReport.MAX_FLOWS)));
      unsent.subList(0, batch.size()).clear();
      pending = new FlowReport(nodeName, sequence.incrementAndGet(), batch);
    }
    try {
      // a report that timed out may have been applied: the same sequence lets the controller ignore the repeat
      sink.send(pending);
      metrics.onFlowsReported(pending.flows().size());
      pending = null;
    } catch (RuntimeException e) {
      metrics.onReportFailed("flows");
      LOG.warn("{}: flow report not delivered, kept for the next one: {}", nodeName, e.getMessage());
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
