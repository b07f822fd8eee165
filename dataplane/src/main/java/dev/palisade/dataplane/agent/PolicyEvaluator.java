package dev.palisade.dataplane.agent;

import dev.palisade.dataplane.render.AllowRect;
import dev.palisade.dataplane.render.ConnectionVerdict;
import dev.palisade.dataplane.render.NodeRules;

/**
 * The name the agent's tightening knows {@link ConnectionVerdict} by, kept so the agent compiles
 * while it is rewritten; it decides nothing itself. New code calls ConnectionVerdict, which also
 * says why (stage, group, side) and judges failsafe and IPv6 as the kernel does.
 */
public final class PolicyEvaluator {
  private final ConnectionVerdict verdict;

  public PolicyEvaluator(NodeRules rules) {
    verdict = new ConnectionVerdict(rules);
  }

  /** See {@link ConnectionVerdict#allows}: false only where the kernel would refuse it as new. */
  public boolean allows(String src, String dst, AllowRect.Proto proto, int port) {
    return verdict.allows(src, dst, proto, port);
  }

  /** See {@link ConnectionVerdict#involvesRestricted}. */
  public boolean involvesRestricted(String src, String dst) {
    return verdict.involvesRestricted(src, dst);
  }
}
