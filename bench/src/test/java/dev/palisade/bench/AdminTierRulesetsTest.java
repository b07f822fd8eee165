package dev.palisade.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dataplane.render.AllowRect;
import dev.palisade.dataplane.render.AllowRect.Proto;
import dev.palisade.dataplane.render.ConnectionVerdict;
import dev.palisade.dataplane.render.ConnectionVerdict.Stage;
import dev.palisade.dataplane.render.DesiredRuleset;
import dev.palisade.dataplane.render.DesiredRuleset.NamedSet;
import dev.palisade.dataplane.render.Interval;
import dev.palisade.dataplane.render.NodeRules;
import dev.palisade.dataplane.render.RulesetRenderer;
import dev.palisade.dataplane.render.TierOrder.TierRects;
import dev.palisade.model.cnp.ClusterNetworkPolicy.Action;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 19's structural proof: admin-0 and admin-100 (what the line-rate bench loads) render the
 * very same chains, so a new connection walks the same rules and set lookups; only the Admin-tier
 * sets' elements grow. And the bench's connection is decided alike in both, by the allow-list.
 */
class AdminTierRulesetsTest {
  private static final String CLIENT = LineRateBench.CLIENT_IP;
  private static final String SERVER = LineRateBench.SERVER_IP;
  private static final String DENY = "adm_in_" + AdminTierRulesets.GROUP + "_deny";
  private static final String ACCEPT = "adm_in_" + AdminTierRulesets.GROUP + "_accept";

  private static NodeRules rules(int policies) {
    return AdminTierRulesets.nodeRules(policies, CLIENT, SERVER, LineRateConfigs.allowList(100));
  }

  @Test
  void sameChainsOnlyTheTierSetsElementsDiffer() {
    DesiredRuleset none = RulesetRenderer.render(rules(0));
    DesiredRuleset hundred = RulesetRenderer.render(rules(100));
    assertEquals(none.chains(), hundred.chains());
    assertTrue(none.chains().get("in_" + AdminTierRulesets.GROUP).rules().stream().anyMatch(r -> r.endsWith(DENY + " drop")),
        "the Admin tier's lookups are in the chains at 0 policies too");
    assertEquals(none.sets().keySet(), hundred.sets().keySet());
    for (String name : none.sets().keySet()) {
      NamedSet a = none.sets().get(name);
      NamedSet b = hundred.sets().get(name);
      assertEquals(a.type() + a.interval() + a.map(), b.type() + b.interval() + b.map(), name);
      if (!name.equals(DENY) && !name.equals(ACCEPT)) {
        assertEquals(a.elements(), b.elements(), name + " holds the same elements");
      }
    }
    assertEquals(Set.of("192.0.2.10 . tcp . 9"), none.sets().get(DENY).elements(), "the floor policy only");
    assertEquals(Set.of(), none.sets().get(ACCEPT).elements());
    // per policy: the team's 5 pods on one port, 3 web pods on a port range (an element per pod); the floor
    assertEquals(100 * (5 + 3) + 1, hundred.sets().get(DENY).elements().size());
    assertEquals(100, hundred.sets().get(ACCEPT).elements().size(), "one client port each");
  }

  @Test
  void theBenchConnectionIsDecidedByTheAllowListInBoth() {
    for (int n : new int[] {0, 100}) {
      NodeRules rules = rules(n);
      TierRects admin = rules.groups().get(0).ingress().admin();
      long client = Interval.parseIp(CLIENT);
      assertNull(admin.decide(client, Proto.TCP, LineRateBench.CONN_PORT), n + " policies: no Admin verdict");
      assertNull(admin.decide(client, Proto.TCP, LineRateBench.IPERF_PORT));
      assertNull(admin.decide(client, Proto.UDP, LineRateBench.IPERF_PORT));
      assertEquals(Stage.ALLOWED, new ConnectionVerdict(rules).judge(CLIENT, SERVER, Proto.TCP, LineRateBench.CONN_PORT)
          .stage());
      // without the client's tuple the allow-list drops it: the allow-list is what decides
      NodeRules without = AdminTierRulesets.nodeRules(n, CLIENT, SERVER, Set.of(new AllowRect(Interval.ip("10.100.0.0"),
          Proto.TCP, Interval.port(20000))));
      assertEquals(Stage.ALLOW_LIST, new ConnectionVerdict(without).judge(CLIENT, SERVER, Proto.TCP,
          LineRateBench.CONN_PORT).stage());
    }
  }

  @Test
  void theHundredPoliciesDecideOtherPeersAndPorts() {
    NodeRules rules = rules(100);
    TierRects admin = rules.groups().get(0).ingress().admin();
    assertEquals(Stage.ADMIN_DENY, new ConnectionVerdict(rules).judge("10.120.3.1", SERVER, Proto.TCP, 1003).stage());
    assertEquals(Action.ACCEPT, admin.decide(Interval.parseIp(CLIENT), Proto.UDP, 20084), "the client, another port (policy 42)");
    assertEquals(Action.DENY, admin.decide(Interval.parseIp("10.120.13.1"), Proto.TCP, 40005), "policy 0's web deny");
    assertNull(admin.decide(Interval.parseIp("10.120.7.2"), Proto.TCP, 30005), "policy 0's Pass: no Admin verdict");
    assertEquals(Action.DENY, admin.decide(Interval.parseIp("192.0.2.10"), Proto.TCP, 9), "the floor policy");
  }

  @Test
  void refusesCountsWithoutAPriorityEach() {
    var e = assertThrows(IllegalArgumentException.class, () -> rules(-1));
    assertTrue(e.getMessage().contains("not -1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> rules(1000));
    assertTrue(e.getMessage().contains("not 1000"), e.getMessage());
  }
}
