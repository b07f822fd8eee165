package dev.palisade.bench;

import dev.palisade.dataplane.netpol.ClusterPolicyCompiler;
import dev.palisade.dataplane.netpol.PodTiers;
import dev.palisade.dataplane.render.AllowRect;
import dev.palisade.dataplane.render.NodeRules;
import dev.palisade.dataplane.render.NodeRules.Direction;
import dev.palisade.dataplane.render.NodeRules.Enforcement;
import dev.palisade.dataplane.render.NodeRules.Group;
import dev.palisade.dataplane.render.RulesetRenderer;
import dev.palisade.model.cnp.ClusterNetworkPolicy;
import dev.palisade.model.cnp.ClusterNetworkPolicyReader;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The line-rate configurations {@code admin-N} (issue 19): Palisade's ruleset for the bench's
 * server with N Admin-tier ClusterNetworkPolicies, compiled by the agent's own pipeline
 * (manifest -> {@link ClusterNetworkPolicyReader} -> {@link ClusterPolicyCompiler} -> the
 * server's {@link PodTiers} -> the {@link Direction}'s admin/baseline fields, as
 * NodeRulesBuilder sets them -> {@link RulesetRenderer}).
 *
 * <p>The bench's cluster: the server pod (namespace bench-srv), the client pod (bench-cli), 20
 * team namespaces of 5 pods each (10.120.T.1-5) and one pod in bench-void (192.0.2.10,
 * TEST-NET-1, never on the bench's path). Policy i (priority i) selects bench-srv and has four
 * ingress rules over other peers and ports: Deny team i%20 on tcp 1000+i; Accept the client on
 * udp 20000+2i (the client's address, other port, so the lookup must look at the port; spaced so
 * that the compile cannot merge them into one range); Pass
 * team (i+7)%20's api pods on tcp 30000+10i..+9; Deny team (i+13)%20's web pods on tcp
 * 40000+10i..+9. None of them matches the bench's ports (tcp 9000, tcp and udp 5201).
 *
 * <p>Why a floor policy in every configuration (bench-floor, priority 1000, Deny bench-void on
 * tcp 9): with no Admin policy at all the renderer emits no Admin-tier rules, so "none" would
 * differ from 100 by the tier's two set lookups, a constant, not the growth the issue asks about.
 * With the floor, {@code admin-0} and {@code admin-100} render the very same chains and differ
 * only in the tier sets' elements (AdminTierRulesetsTest), so the measured difference is what
 * 100 policies add. The ruleset with no cluster policy at all is {@code palisade-100}.
 *
 * <p>The measured connection (client to server on the bench's ports) is accepted by the
 * server's enforced allow-list in every configuration, never by an Admin rule: it so walks both
 * Admin set lookups (deny, accept; both miss) and then the allow-list, the longest path through
 * the tier, and gets the very decision palisade-100 gives it.
 */
public final class AdminTierRulesets {
  /** The server's group (identity), as palisade-N's. */
  static final String GROUP = "1000";
  static final int TEAMS = 20;
  static final int PODS_PER_TEAM = 5;
  /** Policies take priorities 0..n-1; the floor policy has the highest priority value. */
  static final int MAX_POLICIES = ClusterNetworkPolicy.MAX_PRIORITY;
  private static final String VOID_POD = "192.0.2.10";
  private static final KubernetesSerialization YAML = new KubernetesSerialization();

  private AdminTierRulesets() {}

  /** The nftables text of {@link #nodeRules}. */
  static String ruleset(int policies, String clientIp, String serverIp, Set<AllowRect> allowed) {
    return RulesetRenderer.render(nodeRules(policies, clientIp, serverIp, allowed)).text();
  }

  /**
   * The server's rules with {@code policies} Admin-tier policies (plus the floor policy): its
   * ingress enforced with {@code allowed} (which must hold the client's tuples), the Admin tier
   * in front of it; its egress open, as in palisade-N.
   */
  static NodeRules nodeRules(int policies, String clientIp, String serverIp, Set<AllowRect> allowed) {
    if (policies < 0 || policies >= MAX_POLICIES) {
      throw new IllegalArgumentException("Admin-tier policies must be 0.." + (MAX_POLICIES - 1)
          + " (one priority each, the floor policy takes " + MAX_POLICIES + "), not " + policies);
    }
    PodTiers tiers = ClusterPolicyCompiler.compile(policies(policies), namespaces(), pods(clientIp, serverIp),
        Set.of(serverIp)).get(serverIp);
    if (tiers == null) {
      throw new IllegalStateException("no policy selects the server " + serverIp + ": the bench cluster is wrong");
    }
    Direction in = new Direction(false, Set.of(), Set.of(), Enforcement.ENFORCE, Set.of(), allowed,
        tiers.adminIngress(), tiers.baselineIngress());
    return new NodeRules(List.of(new Group(GROUP, Long.parseLong(GROUP), Set.of(serverIp), in, Direction.OPEN)));
  }

  /** The floor policy and policies 0..n-1, read from their manifests as the agent reads them. */
  static List<ClusterNetworkPolicy> policies(int n) {
    List<ClusterNetworkPolicy> out = new ArrayList<>();
    out.add(read("bench-floor", MAX_POLICIES, "- {name: deny-void, action: Deny, from: [{namespaces: "
        + "{matchLabels: {kubernetes.io/metadata.name: bench-void}}}], protocols: [{tcp: {destinationPort: {number: 9}}}]}\n"));
    for (int i = 0; i < n; i++) {
      String rules = String.format(Locale.ROOT, """
          - {name: deny-team, action: Deny, from: [{namespaces: {matchLabels: {team: t%02d}}}],
             protocols: [{tcp: {destinationPort: {number: %d}}}]}
          - {name: accept-client-elsewhere, action: Accept,
             from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: bench-cli}}}],
             protocols: [{udp: {destinationPort: {number: %d}}}]}
          - {name: pass-api, action: Pass,
             from: [{pods: {namespaceSelector: {matchLabels: {team: t%02d}}, podSelector: {matchLabels: {app: api}}}}],
             protocols: [{tcp: {destinationPort: {range: {start: %d, end: %d}}}}]}
          - {name: deny-web, action: Deny,
             from: [{pods: {namespaceSelector: {matchLabels: {team: t%02d}}, podSelector: {matchLabels: {app: web}}}}],
             protocols: [{tcp: {destinationPort: {range: {start: %d, end: %d}}}}]}
          """, i % TEAMS, 1000 + i, 20000 + 2 * i, (i + 7) % TEAMS, 30000 + 10 * i, 30009 + 10 * i,
          (i + 13) % TEAMS, 40000 + 10 * i, 40009 + 10 * i);
      out.add(read(String.format(Locale.ROOT, "bench-admin-%03d", i), i, rules));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static ClusterNetworkPolicy read(String name, int priority, String ingress) {
    String yaml = "apiVersion: " + ClusterNetworkPolicy.API_VERSION + "\nkind: " + ClusterNetworkPolicy.KIND
        + "\nmetadata: {name: " + name + "}\nspec:\n  tier: Admin\n  priority: " + priority
        + "\n  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: bench-srv}}}\n  ingress:\n"
        + ingress.indent(2);
    return ClusterNetworkPolicyReader.read(YAML.unmarshal(yaml, Map.class));
  }

  private static List<Namespace> namespaces() {
    List<Namespace> out = new ArrayList<>();
    for (String ns : List.of("bench-srv", "bench-cli", "bench-void")) {
      out.add(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build());
    }
    for (int t = 0; t < TEAMS; t++) {
      String team = String.format(Locale.ROOT, "t%02d", t);
      out.add(new NamespaceBuilder().withNewMetadata().withName("team-" + team).withLabels(Map.of("team", team))
          .endMetadata().build());
    }
    return out;
  }

  private static List<Pod> pods(String clientIp, String serverIp) {
    List<Pod> out = new ArrayList<>();
    out.add(pod("bench-srv", "server", serverIp, "server"));
    out.add(pod("bench-cli", "client", clientIp, "client"));
    out.add(pod("bench-void", "void", VOID_POD, "void"));
    for (int t = 0; t < TEAMS; t++) {
      for (int p = 1; p <= PODS_PER_TEAM; p++) {
        out.add(pod(String.format(Locale.ROOT, "team-t%02d", t), "pod-" + p, "10.120." + t + "." + p,
            p % 2 == 0 ? "api" : "web"));
      }
    }
    return out;
  }

  private static Pod pod(String ns, String name, String ip, String app) {
    return new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).withLabels(Map.of("app", app))
        .endMetadata().withNewStatus().withPhase("Running").withPodIP(ip).endStatus().build();
  }
}
