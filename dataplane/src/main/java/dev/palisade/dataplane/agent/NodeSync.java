package dev.palisade.dataplane.agent;

import dev.palisade.dataplane.dns.DnsHoldRunner;
import dev.palisade.dataplane.dns.NameGrants;
import dev.palisade.dataplane.dns.ResolvedNames;
import dev.palisade.model.crd.ClusterDefaults;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sync, on the runner's thread: the informers' stores to the kernel, in this order.
 *
 * <pre>
 *  informers: pod delta (drained first), then the snapshot
 *     | no default mode from the controller yet: stop here, the kernel's table stays
 *  TableGuard: rewrite what others changed (or compare the whole table)
 *  NodeRulesCalculator (pure; DeltaBackstop: now and then a full recompute must agree)
 *     -> ObjectProblems (bad objects told once)
 *     -> KernelSync.apply (render, apply changed parts, tighten live connections)
 *     -> PodStartGate (which pods' addresses are in force), TrafficObserver (local pods),
 *        DNS hold (approved names), AppliedSync (what is in force)
 * </pre>
 *
 * A failed step leaves the rules in force and makes the next sync read every pod again: the
 * drained changes were not applied.
 */
final class NodeSync {
  private static final Logger LOG = LoggerFactory.getLogger(NodeSync.class);

  /** What a sync did: ran and is in force, waits for the controller's default mode, or failed. */
  enum Outcome { APPLIED, NO_DEFAULT_MODE, FAILED }

  private final String nodeName;
  private final FailsafeBuilder.Config failsafe;
  private final AgentInformers informers;
  private final TableGuard guard;
  private final KernelSync kernel;
  private final PodStartGate gate;
  private final TrafficObserver traffic;
  private final ObjectProblems problems;
  private final AppliedSync applied;
  private final DnsHoldRunner dnsHold;
  private final ResolvedNames resolvedNames;
  private final NodeRulesCalculator calculator;
  private final DeltaBackstop backstop;
  private final AgentMetrics metrics;
  private boolean waitingForDefault;
  /** The last run's steps, in nanoseconds of wall time (for SyncTrace). */
  private long guardNanos;
  private long calculateNanos;
  private long applyNanos;

  /** {@code dnsHold} is null when the agent holds no DNS answers (peerName rules open nothing then). */
  NodeSync(String nodeName, FailsafeBuilder.Config failsafe, AgentInformers informers, TableGuard guard,
      KernelSync kernel, PodStartGate gate, TrafficObserver traffic, ObjectProblems problems, AppliedSync applied,
      DnsHoldRunner dnsHold, ResolvedNames resolvedNames, AgentMetrics metrics) {
    this.nodeName = nodeName;
    this.failsafe = failsafe;
    this.informers = informers;
    this.guard = guard;
    this.kernel = kernel;
    this.gate = gate;
    this.traffic = traffic;
    this.problems = problems;
    this.applied = applied;
    this.dnsHold = dnsHold;
    this.resolvedNames = resolvedNames;
    this.metrics = metrics;
    this.calculator = new NodeRulesCalculator(nodeName, failsafe);
    this.backstop = new DeltaBackstop(nodeName, Duration.ofMinutes(5), System::nanoTime);
  }

  Outcome run() {
    // drained before the snapshot: a pod changed in between is in the next delta, never lost
    PodDelta delta = informers.podDelta();
    ClusterSnapshot snapshot = informers.snapshot();
    if (snapshot.clusterDefault() == null) {
      informers.readAllPodsNext();
      if (!waitingForDefault) {
        waitingForDefault = true;
        LOG.warn("{}: the controller has not published the default mode (ConfigMap {}/{}) yet: the rules in the "
            + "kernel stay as they are until it has", nodeName, ClusterDefaults.NAMESPACE, ClusterDefaults.CONFIG_MAP);
      }
      return Outcome.NO_DEFAULT_MODE;
    }
    waitingForDefault = false;
    guardNanos = calculateNanos = applyNanos = 0;
    try {
      long t0 = System.nanoTime();
      guard.repairInto(kernel);
      long t1 = System.nanoTime();
      NodeRulesCalculator.Result r = calculate(snapshot, delta);
      problems.latest(r.problems());
      long t2 = System.nanoTime();
      guardNanos = t1 - t0;
      calculateNanos = t2 - t1;
      kernel.apply(r.rules(), dnsHold == null ? NameGrants.NONE : r.nameGrants(),
          r.nameGrants().resolvedBy(resolvedNames, System.currentTimeMillis()));
      applyNanos = System.nanoTime() - t2;
      gate.inStatus(r.announcedInStatus());
      traffic.localPods(r.localIdentity());
      if (dnsHold != null) {
        dnsHold.onSync(r.nameGrants(), r.rules().failsafe());
        resolvedNames.expire(System.currentTimeMillis());
      }
      applied.applied(r);
      return Outcome.APPLIED;
    } catch (RuntimeException e) {
      informers.readAllPodsNext(); // the drained changes were not applied: read every pod next time
      LOG.error("{}: sync failed; the rules in force stay: {}", nodeName, e.toString());
      return Outcome.FAILED;
    }
  }

  /** The last run's steps' wall times: the table guard, the calculation and the kernel's apply. */
  SyncTrace.Steps lastSteps() {
    return new SyncTrace.Steps(guardNanos, calculateNanos, applyNanos, kernel.lastSteps(), 0);
  }

  /** The desired node rules; now and then checked against a calculation from nothing (the delta's backstop). */
  private NodeRulesCalculator.Result calculate(ClusterSnapshot snapshot, PodDelta delta) {
    OwnerVersions owners = informers.ownerVersions();
    Map<String, String> announced = gate.announced();
    NodeRulesCalculator.Result r = calculator.calculate(snapshot, owners, announced, traffic, delta);
    if (!delta.whole() && backstop.due() && !backstop.agrees(r, new NodeRulesCalculator(nodeName, failsafe)
        .calculate(snapshot, owners, announced, (ip, pod, id) -> { }))) {
      metrics.onDeltaMismatch();
      r = calculator.calculate(snapshot, owners, announced, traffic, PodDelta.WHOLE);
    }
    return r;
  }
}
