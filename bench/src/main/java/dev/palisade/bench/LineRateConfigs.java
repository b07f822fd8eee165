package dev.palisade.bench;

import static dev.palisade.bench.LineRateBench.CLIENT_IP;
import static dev.palisade.bench.LineRateBench.CONN_PORT;
import static dev.palisade.bench.LineRateBench.IPERF_PORT;
import static dev.palisade.bench.LineRateBench.SERVER_IP;

import dev.palisade.dataplane.render.AllowRect;
import dev.palisade.dataplane.render.Interval;
import dev.palisade.dataplane.render.NodeRules;
import dev.palisade.dataplane.render.NodeRules.Direction;
import dev.palisade.dataplane.render.NodeRules.Enforcement;
import dev.palisade.dataplane.render.NodeRules.Group;
import dev.palisade.dataplane.render.RulesetRenderer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Pure: the rulesets {@link LineRateBench} measures, by configuration name, as the nftables text
 * its node namespace loads (null: no table at all). The client and server addresses and ports are
 * the harness's.
 */
final class LineRateConfigs {
  private static final int PEERS = AllowedTuples.PEERS;

  private LineRateConfigs() {}

  /** Every configuration by name, rendered only when chosen (100k tuples take a while). */
  static Map<String, Supplier<String>> configs() {
    Map<String, Supplier<String>> configs = new LinkedHashMap<>();
    configs.put("none", () -> null);
    configs.put("ct-only", LineRateConfigs::ctOnly);
    for (int n : new int[] {100, 10_000, 100_000}) {
      configs.put("palisade-" + n, () -> palisade(n));
    }
    // the same 100k tuples all in one interval (pipapo) set, as the renderer did before exact
    // tuples moved to a hash set: the control for that choice
    configs.put("interval-set-100000", () -> intervalOnly(100_000));
    for (int n : new int[] {1_000, 10_000}) {
      configs.put("linear-" + n, () -> linear(n));
    }
    // issue 19: palisade-100's allow-list with 0 or 100 Admin-tier policies in front of it
    for (int n : new int[] {0, 100}) {
      configs.put("admin-" + n, () -> AdminTierRulesets.ruleset(n, CLIENT_IP, SERVER_IP, allowList(100)));
    }
    return configs;
  }

  /** The configurations a comma-separated list names, in the order given. */
  static List<String> select(String list, Set<String> known) {
    List<String> out = new ArrayList<>();
    for (String name : list.split(",")) {
      String n = name.strip();
      if (!known.contains(n)) {
        throw new IllegalArgumentException("unknown line-rate configuration '" + n + "'; known: " + String.join(",", known));
      }
      if (!out.contains(n)) {
        out.add(n);
      }
    }
    return out;
  }

  private static String ctOnly() {
    return """
        table inet bench {
          chain forwarding {
            type filter hook forward priority filter; policy accept;
            ct state established,related accept
            ct state invalid drop
          }
        }
        """;
  }

  /** Palisade's renderer, the server pod's ingress enforced with n allowed tuples (the client's among them). */
  static String palisade(int n) {
    Direction in = new Direction(false, Set.of(), Set.of(), Enforcement.ENFORCE, Set.of(), allowList(n));
    Group server = new Group("1000", 1000, Set.of(SERVER_IP), in, Direction.OPEN);
    return RulesetRenderer.render(new NodeRules(List.of(server))).text();
  }

  /** n tuples of other peers, and the client's tuples on the bench's ports. */
  static Set<AllowRect> allowList(int n) {
    Set<AllowRect> allowed = new HashSet<>(AllowedTuples.of(n));
    for (AllowRect.Proto proto : AllowRect.Proto.values()) {
      allowed.add(new AllowRect(Interval.ip(CLIENT_IP), proto, Interval.port(CONN_PORT)));
      allowed.add(new AllowRect(Interval.ip(CLIENT_IP), proto, Interval.port(IPERF_PORT)));
    }
    return allowed;
  }

  /** Palisade's tuples (as {@link #palisade}) in one interval set: one pipapo lookup per new connection. */
  static String intervalOnly(int n) {
    StringBuilder sb = new StringBuilder("table inet bench {\n  set allow {\n    type ipv4_addr . inet_proto . inet_service;\n"
        + "    flags interval;\n    elements = {\n");
    for (AllowRect r : AllowedTuples.of(n)) {
      sb.append("      ").append(r.elementText()).append(",\n");
    }
    for (String proto : List.of("tcp", "udp")) {
      sb.append("      ").append(CLIENT_IP).append(" . ").append(proto).append(" . ").append(CONN_PORT).append(",\n");
      sb.append("      ").append(CLIENT_IP).append(" . ").append(proto).append(" . ").append(IPERF_PORT).append(",\n");
    }
    sb.append("    }\n  }\n  chain forwarding {\n    type filter hook forward priority filter; policy accept;\n"
        + "    ct state established,related accept\n    ct state invalid drop\n"
        + "    ip daddr != " + SERVER_IP + " accept\n"
        + "    ip saddr . meta l4proto . th dport @allow accept\n    drop\n  }\n}\n");
    return sb.toString();
  }

  /** n per-pair rules, the client's last: what a per-rule firewall does at n rules. */
  static String linear(int n) {
    StringBuilder sb = new StringBuilder("table inet bench {\n  chain forwarding {\n"
        + "    type filter hook forward priority filter; policy accept;\n"
        + "    ct state established,related accept\n    ct state invalid drop\n");
    long base = Interval.parseIp("10.100.0.0");
    for (int i = 0; i < n - 1; i++) {
      long ip = base + 2L * (i % PEERS);
      sb.append("    ip saddr ").append(new Interval(ip, ip).ipText()).append(" ip daddr ").append(SERVER_IP)
          .append(" tcp dport ").append(20000 + 2 * (i / PEERS)).append(" accept\n");
    }
    sb.append("    ip saddr ").append(CLIENT_IP).append(" ip daddr ").append(SERVER_IP).append(" accept\n");
    sb.append("    ip daddr ").append(SERVER_IP).append(" drop\n  }\n}\n");
    return sb.toString();
  }
}
