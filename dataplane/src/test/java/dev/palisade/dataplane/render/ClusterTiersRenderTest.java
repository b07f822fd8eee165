package dev.palisade.dataplane.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.palisade.dataplane.render.AllowRect.Proto;
import dev.palisade.dataplane.render.NodeRules.Direction;
import dev.palisade.dataplane.render.NodeRules.Enforcement;
import dev.palisade.dataplane.render.NodeRules.Group;
import dev.palisade.dataplane.render.PacketTracer.Verdict;
import dev.palisade.dataplane.render.TierOrder.TierRule;
import dev.palisade.model.cnp.ClusterNetworkPolicy.Action;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The ClusterNetworkPolicy tiers as rendered: golden text, a packet trace through it, and the
 * Java verdict agreeing with the trace, for the tier order of upstream's semantics.
 */
class ClusterTiersRenderTest {
  private static AllowRect rect(String cidr, Proto p, int from, int to) {
    return new AllowRect(Interval.cidr(cidr), p, Interval.ports(from, to));
  }

  private static TierOrder.TierRects tier(TierRule... rules) {
    return TierOrder.resolve(List.of(rules));
  }

  /*
   * pay (500, 10.244.0.50): ingress
   *   Admin:    Deny from 10.244.9.0/24 tcp 443; Pass from 10.244.8.0/24 any tcp; Accept from 10.244.0.0/16 tcp 443
   *   NetworkPolicy isolates: allows 10.244.8.0/24 tcp 443 and 10.244.7.0/24 tcp 443
   *   enforced allow-list: approves 10.244.8.1 tcp 443 only
   *   Baseline: Deny everything (not rendered: NetworkPolicy and enforce are final)
   * web (501, 10.244.0.60): egress
   *   Admin:    Accept to 10.244.0.50 tcp 443 (no approval needed)
   *   learn mode (allow-list open)
   *   Baseline: Deny to 0.0.0.0/0 udp 53 and tcp any; Accept before it to 10.96.0.0/16 udp 53
   */
  static final NodeRules NODE = new NodeRules(List.of(
      new Group("500", 500, Set.of("10.244.0.50"),
          new Direction(true, Set.of(),
              Set.of(rect("10.244.8.0/24", Proto.TCP, 443, 443), rect("10.244.7.0/24", Proto.TCP, 443, 443)),
              Enforcement.ENFORCE, Set.of(), Set.of(rect("10.244.8.1/32", Proto.TCP, 443, 443)),
              tier(new TierRule(Action.DENY, Set.of(rect("10.244.9.0/24", Proto.TCP, 443, 443))),
                  new TierRule(Action.PASS, Set.of(rect("10.244.8.0/24", Proto.TCP, 0, 65535))),
                  new TierRule(Action.ACCEPT, Set.of(rect("10.244.0.0/16", Proto.TCP, 443, 443)))),
              tier(new TierRule(Action.DENY, Set.of(rect("0.0.0.0/0", Proto.TCP, 0, 65535))))),
          Direction.OPEN),
      new Group("501", 501, Set.of("10.244.0.60"), Direction.OPEN,
          new Direction(false, Set.of(), Set.of(), Enforcement.OPEN, Set.of(), Set.of(),
              tier(new TierRule(Action.ACCEPT, Set.of(rect("10.244.0.50/32", Proto.TCP, 443, 443)))),
              tier(new TierRule(Action.ACCEPT, Set.of(rect("10.96.0.0/16", Proto.UDP, 53, 53))),
                  new TierRule(Action.DENY, Set.of(rect("0.0.0.0/0", Proto.UDP, 53, 53),
                      rect("0.0.0.0/0", Proto.TCP, 0, 65535))))))));

  @ParameterizedTest
  @CsvSource({
      // Admin Deny beats NetworkPolicy, approvals, everything
      "10.244.9.1, 10.244.0.50, tcp, 443, DROP",
      // Admin Accept: no NetworkPolicy allow, no approval needed
      "10.244.3.3, 10.244.0.50, tcp, 443, ACCEPT",
      // Pass: NetworkPolicy and the enforced allow-list decide (both allow .1)
      "10.244.8.1, 10.244.0.50, tcp, 443, ACCEPT",
      // Pass: NetworkPolicy allows .2 but it is not approved (enforce)
      "10.244.8.2, 10.244.0.50, tcp, 443, DROP",
      // no Admin match; NetworkPolicy isolates and does not allow port 80
      "10.244.8.2, 10.244.0.50, tcp, 80, DROP",
      // web's egress: Admin Accept to pay; pay's ingress then still judges it (Admin Accept there too)
      "10.244.0.60, 10.244.0.50, tcp, 443, ACCEPT",
      // web's egress: Baseline accepts DNS to the service range before its deny
      "10.244.0.60, 10.96.0.10, udp, 53, ACCEPT",
      "10.244.0.60, 8.8.8.8, udp, 53, DROP",
      "10.244.0.60, 8.8.8.8, tcp, 443, DROP",
      // nothing matches: allowed
      "10.244.0.60, 8.8.8.8, sctp, 9, ACCEPT",
  })
  void tracesTheTierOrder(String src, String dst, String proto, int port, Verdict verdict) {
    var trace = new PacketTracer(RulesetRenderer.render(NODE)).trace(src, dst, proto, port);
    assertEquals(verdict, trace.verdict());
    var judged = new ConnectionVerdict(NODE).judge(src, dst, Proto.valueOf(proto.toUpperCase(java.util.Locale.ROOT)), port);
    assertEquals(verdict == Verdict.ACCEPT, judged.passes(), judged.explain());
  }

  @Test
  void explainsWhichTierDropped() {
    var v = new ConnectionVerdict(NODE).judge("10.244.9.1", "10.244.0.50", Proto.TCP, 443);
    assertEquals(ConnectionVerdict.Stage.ADMIN_DENY, v.stage());
    assertEquals(List.of(), v.logs(), "a Deny drops silently");
    v = new ConnectionVerdict(NODE).judge("10.244.0.60", "8.8.8.8", Proto.UDP, 53);
    assertEquals(ConnectionVerdict.Stage.BASELINE_DENY, v.stage());
    assertEquals("dropped: a Baseline-tier ClusterNetworkPolicy denies it (group 501, egress)", v.explain());
  }

  @Test
  void matchesTheGoldenRuleset() throws IOException {
    RulesetRendererTest.Golden.assertMatches("golden/cluster-tiers.nft", RulesetRenderer.render(NODE).text());
  }
}
