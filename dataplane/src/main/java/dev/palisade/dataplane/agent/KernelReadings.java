package dev.palisade.dataplane.agent;

import java.util.Map;
import java.util.function.IntSupplier;

/**
 * What {@link AgentMetrics} reads from the agent's parts when scraped, on the scrape thread: only
 * counters and volatile snapshots they keep for any thread, never the sync thread's working state.
 */
record KernelReadings(KernelSync kernel, SyncRunner runner, IntSupplier localPods) implements AgentMetrics.Readings {
  @Override
  public Map<String, Integer> rulesetElements() {
    return kernel.elementsBySet();
  }

  @Override
  public long applyFailures() {
    return kernel.applyFailures();
  }

  @Override
  public long resyncs() {
    return kernel.resyncs();
  }

  @Override
  public long tamperRepairs() {
    return kernel.repairs();
  }

  @Override
  public long syncFailures() {
    return runner.failures();
  }

  @Override
  public long connectionsCut() {
    return kernel.connectionsCut();
  }

  @Override
  public long commits() {
    return kernel.commits();
  }

  @Override
  public long longestCommitNanos() {
    return kernel.longestCommitNanos();
  }

  @Override
  public int podsCovered() {
    return localPods.getAsInt();
  }
}
