package dev.palisade.dataplane.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dataplane.render.AllowRect.Proto;
import dev.palisade.dataplane.render.NodeRules.Direction;
import dev.palisade.dataplane.render.NodeRules.Enforcement;
import dev.palisade.dataplane.render.NodeRules.Group;
import dev.palisade.dataplane.render.TierOrder.TierRule;
import dev.palisade.model.cnp.ClusterNetworkPolicy.Action;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What a new connection walks does not grow with the number of cluster policies: 1 or 100
 * Admin-tier policies render the very same chains (rules and set lookups); only set elements grow.
 */
class TierLookupCostTest {
  private static NodeRules withPolicies(int n) {
    List<TierRule> rules = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      // one policy per priority, each denying one /24 on one port and accepting another
      rules.add(new TierRule(Action.DENY, Set.of(new AllowRect(Interval.cidr("10." + i + ".0.0/24"), Proto.TCP,
          Interval.port(443)))));
      rules.add(new TierRule(Action.ACCEPT, Set.of(new AllowRect(Interval.cidr("10." + i + ".1.0/24"), Proto.UDP,
          Interval.ports(5000, 6000)))));
    }
    var admin = TierOrder.resolve(rules);
    return new NodeRules(List.of(new Group("7", 7, Set.of("10.244.0.7"),
        new Direction(false, Set.of(), Set.of(), Enforcement.OPEN, Set.of(), Set.of(), admin, TierOrder.TierRects.NONE),
        Direction.OPEN)));
  }

  @Test
  void chainsAreTheSameForOneAndAHundredPolicies() {
    DesiredRuleset one = RulesetRenderer.render(withPolicies(1));
    DesiredRuleset hundred = RulesetRenderer.render(withPolicies(100));
    assertEquals(one.chains(), hundred.chains());
    assertEquals(one.sets().keySet(), hundred.sets().keySet());
    assertEquals(200, hundred.sets().get("adm_in_7_deny").elements().size()
        + hundred.sets().get("adm_in_7_accept").elements().size());
    var trace = new PacketTracer(hundred).trace("10.99.0.5", "10.244.0.7", "tcp", 443);
    assertEquals(PacketTracer.Verdict.DROP, trace.verdict());
    assertTrue(new PacketTracer(hundred).trace("10.99.1.5", "10.244.0.7", "udp", 5500).verdict()
        == PacketTracer.Verdict.ACCEPT);
  }
}
