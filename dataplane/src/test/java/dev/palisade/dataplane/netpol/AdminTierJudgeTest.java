package dev.palisade.dataplane.netpol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.palisade.dataplane.render.AllowRect.Proto;
import dev.palisade.dataplane.render.Interval;
import dev.palisade.dataplane.render.TierOrder.TierRects;
import dev.palisade.model.Protocol;
import dev.palisade.model.cnp.ClusterNetworkPolicy;
import dev.palisade.model.cnp.ClusterNetworkPolicy.Action;
import dev.palisade.model.cnp.ClusterNetworkPolicyReader;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The judge names the rule that decides one connection; the compiler (what the kernel enforces)
 * must decide the same. On the e2e model (x, y, z; a, b, c).
 */
class AdminTierJudgeTest {
  private final NetpolFixture f = NetpolFixture.model();

  @SuppressWarnings("unchecked")
  private static ClusterNetworkPolicy cnp(String yaml) {
    return ClusterNetworkPolicyReader.read(new KubernetesSerialization().unmarshal(yaml, Map.class));
  }

  private static String policy(String name, int priority, String subject, String rules) {
    return "apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: " + name
        + "}\nspec:\n  tier: Admin\n  priority: " + priority + "\n  subject: " + subject + "\n" + rules;
  }

  private Pod pod(String ref) {
    return f.pods.stream().filter(p -> ref.equals(p.getMetadata().getNamespace() + "/" + p.getMetadata().getName()))
        .findFirst().orElseThrow();
  }

  @Test
  void namesTheFirstMatchingRulePerDirection() {
    var shop = cnp(policy("shop", 10, "{namespaces: {matchLabels: {ns: x}}}", """
          ingress:
          - {name: within, action: Accept, from: [{namespaces: {matchLabels: {ns: x}}}]}
          egress:
          - {name: no-y, action: Deny, to: [{namespaces: {matchLabels: {ns: y}}}], protocols: [{tcp: {destinationPort: {number: 80}}}]}
        """));
    var judged = AdminTierJudge.judge(List.of(shop), f.namespaces, pod("x/a"), pod("x/b"), Protocol.TCP, 80);
    assertNull(judged.egress(), "no egress rule of x names x");
    assertEquals("within", judged.ingress().rule());
    assertEquals(judged.ingress(), judged.accept());
    assertEquals("ClusterNetworkPolicy shop rule within (Admin Accept, ingress)", judged.accept().text());

    var denied = AdminTierJudge.judge(List.of(shop), f.namespaces, pod("x/a"), pod("y/b"), Protocol.TCP, 80);
    assertEquals("no-y", denied.deny().rule());
    assertNull(denied.accept(), "a Deny in one direction wins over an Accept in the other");
    assertNull(AdminTierJudge.judge(List.of(shop), f.namespaces, pod("x/a"), pod("y/b"), Protocol.TCP, 81).deny());
  }

  /** 300 random Admin tiers: every (client, server, protocol, port) the judge and the compiler decide alike. */
  @Test
  void agreesWithTheCompilerOnRandomPolicies() {
    Random random = new Random(19);
    List<String> refs = new ArrayList<>(f.ipOf.keySet());
    int judgedMatches = 0;
    for (int round = 0; round < 300; round++) {
      List<ClusterNetworkPolicy> policies = new ArrayList<>();
      int n = 1 + random.nextInt(3);
      for (int i = 0; i < n; i++) {
        policies.add(cnp(policy("p" + i, random.nextInt(4), randomSubject(random),
            "  ingress:\n" + randomRules(random, "from") + "  egress:\n" + randomRules(random, "to"))));
      }
      var tiers = ClusterPolicyCompiler.compile(policies, f.namespaces, f.pods, new HashSet<>(f.ipOf.values()));
      for (int probe = 0; probe < 20; probe++) {
        String client = refs.get(random.nextInt(refs.size()));
        String server = refs.get(random.nextInt(refs.size()));
        Protocol proto = Protocol.values()[random.nextInt(2)];
        int port = 80 + random.nextInt(2);
        var judged = AdminTierJudge.judge(policies, f.namespaces, pod(client), pod(server), proto, port);
        assertNotNull(judged);
        PodTiers c = tiers.getOrDefault(f.ipOf.get(client), PodTiers.NONE);
        PodTiers s = tiers.getOrDefault(f.ipOf.get(server), PodTiers.NONE);
        String where = "round " + round + ": " + client + " -> " + server + " " + port + "/" + proto + " under "
            + policies;
        assertEquals(decide(c.adminEgress(), server, proto, port), verdict(judged.egress()), "egress, " + where);
        assertEquals(decide(s.adminIngress(), client, proto, port), verdict(judged.ingress()), "ingress, " + where);
        judgedMatches += (judged.egress() != null ? 1 : 0) + (judged.ingress() != null ? 1 : 0);
      }
    }
    // the random policies must actually match things, or the comparison says nothing
    org.junit.jupiter.api.Assertions.assertTrue(judgedMatches > 1000, "matches: " + judgedMatches);
  }

  private Action decide(TierRects t, String peer, Protocol proto, int port) {
    return t.decide(Interval.parseIp(f.ipOf.get(peer)), Proto.valueOf(proto.name()), port);
  }

  /** A Pass decides nothing: the compiled tier has no verdict there either. */
  private static Action verdict(AdminTierJudge.Match m) {
    return m == null || m.action() == Action.PASS ? null : m.action();
  }

  private static String randomSubject(Random r) {
    return switch (r.nextInt(3)) {
      case 0 -> "{namespaces: {}}";
      case 1 -> "{namespaces: {matchLabels: {ns: " + "xyz".charAt(r.nextInt(3)) + "}}}";
      default -> "{pods: {namespaceSelector: {}, podSelector: {matchLabels: {pod: " + "abc".charAt(r.nextInt(3)) + "}}}}";
    };
  }

  private static String randomRules(Random r, String direction) {
    StringBuilder out = new StringBuilder();
    int n = 1 + r.nextInt(3);
    for (int i = 0; i < n; i++) {
      String action = List.of("Accept", "Deny", "Pass").get(r.nextInt(3));
      String peer = switch (r.nextInt(3)) {
        case 0 -> "{namespaces: {matchLabels: {ns: " + "xyz".charAt(r.nextInt(3)) + "}}}";
        case 1 -> "{pods: {namespaceSelector: {}, podSelector: {matchLabels: {pod: " + "abc".charAt(r.nextInt(3)) + "}}}}";
        default -> direction.equals("to") ? "{networks: [10.244." + (1 + r.nextInt(3)) + ".0/24]}"
            : "{namespaces: {}}";
      };
      String ports = switch (r.nextInt(4)) {
        case 0 -> "";
        case 1 -> ", protocols: [{tcp: {destinationPort: {number: " + (80 + r.nextInt(2)) + "}}}]";
        case 2 -> ", protocols: [{udp: {destinationPort: {range: {start: 80, end: " + (80 + r.nextInt(2)) + "}}}}]";
        default -> ", protocols: [{destinationNamedPort: serve-" + (80 + r.nextInt(2)) + "-" + (r.nextBoolean() ? "tcp" : "udp") + "}]";
      };
      out.append("  - {name: r").append(i).append(", action: ").append(action).append(", ").append(direction)
          .append(": [").append(peer).append("]").append(ports).append("}\n");
    }
    return out.toString();
  }
}
