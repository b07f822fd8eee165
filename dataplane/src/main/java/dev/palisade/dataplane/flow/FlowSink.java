package dev.palisade.dataplane.flow;

import dev.palisade.model.FlowReport;

/** Where an agent sends its flow reports: the controller's flow API, or a test's list. */
@FunctionalInterface
public interface FlowSink {
  /** @throws RuntimeException if the report was not accepted (the agent keeps it and retries) */
  void send(FlowReport report);

  /** Drops and would-drops seen on this node since the last call. */
  default void sendDrops(String node, java.util.List<dev.palisade.model.DropEvent> events) {}
}
