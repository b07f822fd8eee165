package dev.palisade.dataplane.flow;

import dev.palisade.model.FlowReport;

/** Where an agent sends its flow reports: the controller's flow API, or a test's list. */
@FunctionalInterface
public interface FlowSink {
  /** @throws RuntimeException if the report was not accepted (the agent keeps it and retries) */
  void send(FlowReport report);
}
