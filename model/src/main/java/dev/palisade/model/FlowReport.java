package dev.palisade.model;

import java.util.List;

/**
 * A batch of flow records an agent sends to the controller. {@code sequence} increases per
 * agent, so a retried batch is recognised and not counted twice.
 */
public record FlowReport(String node, long sequence, List<FlowRecord> flows) {
  public static final int MAX_FLOWS = 10_000;

  public FlowReport {
    if (node == null || node.isBlank()) {
      throw new IllegalArgumentException("flow report names no node");
    }
    if (sequence < 0) {
      throw new IllegalArgumentException("flow report sequence must be >= 0");
    }
    flows = List.copyOf(flows == null ? List.of() : flows);
    if (flows.size() > MAX_FLOWS) {
      throw new IllegalArgumentException("a flow report holds at most " + MAX_FLOWS + " records, not " + flows.size());
    }
  }
}
