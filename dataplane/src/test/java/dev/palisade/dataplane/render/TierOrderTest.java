package dev.palisade.dataplane.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dataplane.render.AllowRect.Proto;
import dev.palisade.dataplane.render.TierOrder.TierRects;
import dev.palisade.dataplane.render.TierOrder.TierRule;
import dev.palisade.model.cnp.ClusterNetworkPolicy.Action;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TierOrderTest {
  private static AllowRect rect(String cidr, Proto p, int from, int to) {
    return new AllowRect(Interval.cidr(cidr), p, Interval.ports(from, to));
  }

  /*
   * In judging order (as the compiler sorts them: priority, then rules in order):
   *   1. Pass   10.0.1.0/24 tcp 80        (delegates a hole in the deny below)
   *   2. Deny   10.0.0.0/16 tcp 1-1000
   *   3. Accept 10.0.0.0/8  tcp 80-90     (only what 1 and 2 left over)
   *   4. Deny   10.0.0.0/8  udp any
   */
  static final List<TierRule> RULES = List.of(
      new TierRule(Action.PASS, Set.of(rect("10.0.1.0/24", Proto.TCP, 80, 80))),
      new TierRule(Action.DENY, Set.of(rect("10.0.0.0/16", Proto.TCP, 1, 1000))),
      new TierRule(Action.ACCEPT, Set.of(rect("10.0.0.0/8", Proto.TCP, 80, 90))),
      new TierRule(Action.DENY, Set.of(rect("10.0.0.0/8", Proto.UDP, 0, 65535))));

  @ParameterizedTest
  @CsvSource(nullValues = "none", value = {
      "10.0.1.5,   TCP, 80,  none",    // Pass claims it first: no verdict in this tier
      "10.0.1.5,   TCP, 81,  DENY",    // the pass is port 80 only
      "10.0.2.5,   TCP, 80,  DENY",    // deny before the later accept
      "10.1.0.5,   TCP, 85,  ACCEPT",  // outside the deny's /16
      "10.1.0.5,   TCP, 91,  none",
      "10.0.2.5,   TCP, 1001, none",
      "10.200.0.1, UDP, 53,  DENY",
      "11.0.0.1,   UDP, 53,  none",
      "10.0.2.5,   SCTP, 80, none",
  })
  void firstMatchDecides(String peer, Proto proto, int port, Action expected) {
    assertEquals(expected, TierOrder.resolve(RULES).decide(Interval.parseIp(peer), proto, port));
  }

  @Test
  void resultRegionsAreDisjointSoTheKernelTakesThem() {
    TierRects r = TierOrder.resolve(RULES);
    List<AllowRect> all = new ArrayList<>(r.accept());
    all.addAll(r.deny());
    for (int i = 0; i < all.size(); i++) {
      for (int j = i + 1; j < all.size(); j++) {
        AllowRect a = all.get(i);
        AllowRect b = all.get(j);
        boolean overlap = a.protocol() == b.protocol()
            && a.peers().from() <= b.peers().to() && b.peers().from() <= a.peers().to()
            && a.ports().from() <= b.ports().to() && b.ports().from() <= a.ports().to();
        assertTrue(!overlap, a + " overlaps " + b);
      }
    }
  }

  /** The resolved sets agree with walking the rules in order, on random rules and random points. */
  @Test
  void agreesWithAWalkOfTheRulesInOrder() {
    Random rnd = new Random(19);
    for (int round = 0; round < 200; round++) {
      List<TierRule> rules = new ArrayList<>();
      for (int i = 0; i < 1 + rnd.nextInt(6); i++) {
        Set<AllowRect> m = new java.util.HashSet<>();
        for (int k = 0; k < 1 + rnd.nextInt(3); k++) {
          long from = rnd.nextInt(64);
          int pf = rnd.nextInt(20);
          m.add(new AllowRect(new Interval(from, from + rnd.nextInt(32)), Proto.values()[rnd.nextInt(2)],
              Interval.ports(pf, pf + rnd.nextInt(10))));
        }
        rules.add(new TierRule(Action.values()[rnd.nextInt(3)], m));
      }
      TierRects resolved = TierOrder.resolve(rules);
      for (int q = 0; q < 200; q++) {
        long peer = rnd.nextInt(100);
        Proto proto = Proto.values()[rnd.nextInt(2)];
        int port = rnd.nextInt(35);
        Action walked = null;
        for (TierRule rule : rules) {
          if (rule.matches().stream().anyMatch(x -> x.protocol() == proto && x.peers().contains(peer) && x.ports().contains(port))) {
            walked = rule.action() == Action.PASS ? null : rule.action();
            break;
          }
        }
        assertEquals(walked, resolved.decide(peer, proto, port), "round " + round + " " + peer + " " + proto + " " + port);
      }
    }
  }

  @Test
  void noRulesDecideNothing() {
    assertNull(TierOrder.resolve(List.of()).decide(1, Proto.TCP, 80));
    assertTrue(TierOrder.resolve(List.of()).isEmpty());
  }
}
