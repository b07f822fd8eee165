package dev.palisade.dataplane.render;

import dev.palisade.kernel.nft.NftObject;

import dev.palisade.dataplane.render.DesiredRuleset.Chain;
import dev.palisade.dataplane.render.DesiredRuleset.NamedSet;
import dev.palisade.dataplane.render.NodeRules.Direction;
import dev.palisade.dataplane.render.NodeRules.Enforcement;
import dev.palisade.dataplane.render.NodeRules.Group;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Renders what a node must enforce into Palisade's nftables table. Pure: same input, same output.
 *
 * <pre>
 * forward hook (priority filter):
 *   ct state established,related accept         <- only NEW connections are judged
 *   ct state invalid drop
 *   ip6 saddr @closed_v6 log + drop             <- IPv6 of a restricted pod: the rules below are IPv4 only
 *   ip6 daddr @closed_v6 log + drop
 *   ip saddr @failsafe_src accept                <- this node (kubelet probes): never cut
 *   ip daddr . meta l4proto . th dport @failsafe_dst accept   <- API server, cluster DNS
 *   ip saddr vmap @egress_dispatch               <- local source pod   -> jump out_G
 *   ip daddr vmap @ingress_dispatch              <- local destination  -> jump in_G
 *   (policy accept: pods nobody restricts stay open, as in Kubernetes)
 *
 * in_G:      ip saddr . meta l4proto . th dport @adm_in_G_deny drop      <- Admin tier (if any policy
 *            ip saddr . meta l4proto . th dport @adm_in_G_accept return      selects G): first match
 *                                                                              resolved in TierOrder
 *            jump in_G_np (if NetworkPolicy isolates G's ingress); jump in_G_pal (if monitor/enforce)
 *            ip saddr . meta l4proto . th dport @bl_in_G_deny drop       <- Baseline tier, only if
 *                                                                           neither of those is final
 * in_G_np:   ip saddr @np_in_G_any return                        <- peers allowed on every port
 *            ip saddr . meta l4proto . th dport @np_in_G_exact return   <- one address, one port (hash)
 *            ip saddr . meta l4proto . th dport @np_in_G return  <- CIDRs, port ranges (interval)
 *            log + drop
 * in_G_pal:  the same with the approved sets; enforce: log group 100 + drop; monitor: log group 101
 * out_G...:  the same with ip daddr; out_G_pal also passes
 *            ip saddr . ip daddr . meta l4proto . th dport @fqdn4 return   <- what approved DNS names
 *                                                   resolved to for this pod (timeout: TTL + grace)
 * </pre>
 *
 * Per new connection: one verdict-map lookup per direction and at most three set lookups per check,
 * whatever the number of pods or rules: chains never grow with rules. Peers are expanded from
 * identities to addresses by the caller, so the ruleset writes no packet or conntrack mark at
 * all and cannot clobber bits that kube-proxy or a CNI own (nft 1.0.6 cannot OR a map result into
 * a mark, which rules out keeping identities in marks without clobbering).
 */
public final class RulesetRenderer {
  public static final String FAMILY = "inet";
  public static final String TABLE = "palisade";
  public static final String FORWARD_CHAIN = "pod_forward";
  public static final int DROP_LOG_GROUP = 100;
  public static final int WOULD_DROP_LOG_GROUP = 101;
  static final String FAILSAFE_SRC = "failsafe_src";
  static final String FAILSAFE_DST = "failsafe_dst";
  static final String CLOSED_V6 = "closed_v6";
  /** The group part of a closed_v6 drop's log prefix: no group decided, the address family did. */
  static final String V6_GROUP = "v6";
  static final String RECT_TYPE = "ipv4_addr . inet_proto . inet_service";
  /**
   * What approved DNS names resolved to, per pod: pod . remote . proto . port, each element
   * expiring with its answer's TTL plus grace. Written only by the DNS hold, never by the sync.
   */
  public static final String FQDN_SET = "fqdn4";
  public static final String FQDN_TYPE = "ipv4_addr . ipv4_addr . inet_proto . inet_service";
  /** The pass an approved name grants, first in every enforced egress check's verdict. */
  static final String FQDN_RULE = "ip saddr . ip daddr . meta l4proto . th dport @" + FQDN_SET + " return";

  private RulesetRenderer() {}

  public static DesiredRuleset render(NodeRules rules) {
    return render(rules, ElementMemo.NONE);
  }

  /** As {@link #render(NodeRules)}, reusing the set elements {@code memo} kept for the same peer sets. */
  public static DesiredRuleset render(NodeRules rules, ElementMemo memo) {
    memo.begin();
    SortedMap<String, Chain> chains = new TreeMap<>();
    SortedMap<String, NamedSet> sets = new TreeMap<>();
    TreeSet<String> ingressDispatch = new TreeSet<>();
    TreeSet<String> egressDispatch = new TreeSet<>();

    chains.put(FORWARD_CHAIN, new Chain(FORWARD_CHAIN, new NftObject.BaseHook("filter", "forward", "filter", "accept"), List.of(
        "ct state established,related accept",
        "ct state invalid drop",
        // before the failsafe, which is IPv4 only and so could never let IPv6 through anyway
        "ip6 saddr @" + CLOSED_V6 + " " + log("v6", "out", V6_GROUP, DROP_LOG_GROUP) + " drop",
        "ip6 daddr @" + CLOSED_V6 + " " + log("v6", "in", V6_GROUP, DROP_LOG_GROUP) + " drop",
        "ip saddr @" + FAILSAFE_SRC + " accept",
        "ip daddr . meta l4proto . th dport @" + FAILSAFE_DST + " accept",
        "ip saddr vmap @egress_dispatch",
        "ip daddr vmap @ingress_dispatch")));

    TreeSet<String> failsafeSrc = new TreeSet<>();
    for (Interval i : Disjoint.merge(rules.failsafe().sources())) {
      failsafeSrc.add(i.ipText());
    }
    TreeSet<String> failsafeDst = new TreeSet<>();
    for (AllowRect r : Disjoint.rects(rules.failsafe().destinations())) {
      failsafeDst.add(r.elementText());
    }
    sets.put(FAILSAFE_SRC, new NamedSet(FAILSAFE_SRC, false, "ipv4_addr", true, failsafeSrc));
    sets.put(FAILSAFE_DST, new NamedSet(FAILSAFE_DST, false, RECT_TYPE, true, failsafeDst));
    sets.put(FQDN_SET, NamedSet.dynamic(FQDN_SET, FQDN_TYPE));
    sets.put(CLOSED_V6, new NamedSet(CLOSED_V6, false, "ipv6_addr", false, new TreeSet<>(rules.closedV6())));
    // Groups whose NetworkPolicy peers are the very same set objects (pods the same policies
    // select, in different workloads) share one trio of sets, named after the first such group:
    // with 10k peer addresses, a set per group grew the kernel's elements and every diff by
    // 10k per workload on the node.
    Map<ElementMemo.Key, String> npSets = new java.util.HashMap<>();
    for (Group g : rules.groups()) {
      direction(g, "in", "saddr", g.ingress(), chains, sets, ingressDispatch, memo, npSets);
      direction(g, "out", "daddr", g.egress(), chains, sets, egressDispatch, memo, npSets);
    }
    sets.put("ingress_dispatch", new NamedSet("ingress_dispatch", true, "ipv4_addr : verdict", false, ingressDispatch));
    sets.put("egress_dispatch", new NamedSet("egress_dispatch", true, "ipv4_addr : verdict", false, egressDispatch));
    return new DesiredRuleset(FAMILY, TABLE, chains, sets);
  }

  /**
   * Renders one direction of one group. {@code peer} is the packet field holding the other end:
   * the source for ingress, the destination for egress.
   */
  private static void direction(Group g, String dir, String peer, Direction d,
      SortedMap<String, Chain> chains, SortedMap<String, NamedSet> sets, TreeSet<String> dispatch, ElementMemo memo,
      Map<ElementMemo.Key, String> npSets) {
    if (!d.restricted()) {
      return;
    }
    String base = dir + "_" + g.name();
    List<String> entry = new ArrayList<>();
    String tuple = "ip " + peer + " . meta l4proto . th dport @";
    if (!d.admin().isEmpty()) {
      // Admin tier first: its Deny is final, its Accept skips the rest of this side (return), so
      // neither NetworkPolicy nor the approved allow-list can undo or second-guess it.
      tierSet(sets, "adm_" + base + "_deny", d.admin().deny());
      tierSet(sets, "adm_" + base + "_accept", d.admin().accept());
      entry.add(tuple + "adm_" + base + "_deny drop");
      entry.add(tuple + "adm_" + base + "_accept return");
    }
    if (d.npIsolated()) {
      String chain = base + "_np";
      String set = npSets.computeIfAbsent(new ElementMemo.Key(d.npAny(), d.np()), k -> "np_" + base);
      check(chain, set, peer, memo.get(d.npAny(), d.np(), () -> elements(d.npAny(), d.np()),
          RulesetRenderer::moved), chains, sets,
          List.of(log("np", dir, g.name(), DROP_LOG_GROUP) + " drop"));
      entry.add("jump " + chain);
    }
    if (d.enforcement() != Enforcement.OPEN) {
      String chain = base + "_pal";
      List<String> verdict = new ArrayList<>();
      if (dir.equals("out")) {
        // an approved name's addresses, as this very pod resolved them (the set's key starts
        // with the pod): a pod that did not ask, or asked for another name, finds nothing here
        verdict.add(FQDN_RULE);
      }
      verdict.add(d.enforcement() == Enforcement.ENFORCE
          ? log("enforce", dir, g.name(), DROP_LOG_GROUP) + " drop"
          : log("monitor", dir, g.name(), WOULD_DROP_LOG_GROUP));
      check(chain, "pal_" + base, peer, memo.get(d.approvedAny(), d.approved(),
          () -> elements(d.approvedAny(), d.approved()), RulesetRenderer::moved), chains, sets, verdict);
      entry.add("jump " + chain);
    }
    if (d.baselineApplies()) {
      tierSet(sets, "bl_" + base + "_deny", d.baseline().deny());
      entry.add(tuple + "bl_" + base + "_deny drop");
    }
    chains.put(base, new Chain(base, null, entry));
    for (String ip : new TreeSet<>(g.podIps())) {
      dispatch.add(ip + " : jump " + base);
    }
  }

  /**
   * A check chain: pass (return) if the peer is in the any-set, the exact set or the range set,
   * else the verdict.
   *
   * <p>Why two tuple sets: a concatenation with ranges needs the kernel's pipapo set, whose lookup
   * walks bitmaps that grow with the number of elements (measured: new connections/s through a
   * node fell to about half of conntrack-only at 10k tuples, bench/RESULTS.md). Most tuples are one
   * pod address and one port: those go unmerged into a hash set, one O(1) lookup whatever its
   * size; only CIDRs and port ranges (NetworkPolicy ipBlocks, endPort, all-ports rules) need the
   * interval set, which stays small. A tuple may sit in both; either passes.
   */
  private static ElementMemo.Elements elements(java.util.Set<Interval> any, java.util.Set<AllowRect> rects) {
    TreeSet<String> anyElements = new TreeSet<>();
    for (Interval i : Disjoint.merge(any)) {
      anyElements.add(i.ipText());
    }
    TreeSet<String> exactElements = new TreeSet<>();
    java.util.Set<AllowRect> ranged = new java.util.HashSet<>();
    for (AllowRect r : rects) {
      if (r.peers().single() && r.ports().single()) {
        exactElements.add(r.elementText());
      } else {
        ranged.add(r);
      }
    }
    // frozen: NamedSet keeps such a view instead of copying it (the memo never changes these sets);
    // an approved set that later versions move by a few elements gets a persistent set to move
    return new ElementMemo.Elements(java.util.Collections.unmodifiableSortedSet(anyElements),
        rects instanceof RectSet ? ElementSet.of(exactElements)
            : java.util.Collections.unmodifiableSortedSet(exactElements),
        rangedElements(ranged));
  }

  private static java.util.SortedSet<String> rangedElements(java.util.Set<AllowRect> ranged) {
    TreeSet<String> rectElements = new TreeSet<>();
    for (AllowRect r : Disjoint.rects(ranged)) {
      rectElements.add(r.elementText());
    }
    return java.util.Collections.unmodifiableSortedSet(rectElements);
  }

  /**
   * The elements of {@code rects} from those of its predecessor ({@code before}) and the
   * difference it carries: an exact tuple is its own element, so it moves alone; ranged tuples
   * are cut together ({@link Disjoint#rects}), so if one of them moved, that small part is cut again.
   * Null when {@code before} cannot be moved.
   */
  private static ElementMemo.Elements moved(ElementMemo.Elements before, RectSet rects) {
    if (!(before.exact() instanceof ElementSet exact)) {
      return null; // not made to be moved: the memo builds it whole, once
    }
    java.util.Set<String> added = new java.util.HashSet<>();
    java.util.Set<String> removed = new java.util.HashSet<>();
    boolean rangedMoved = false;
    for (AllowRect r : rects.added()) {
      if (r.peers().single() && r.ports().single()) {
        added.add(r.elementText());
      } else {
        rangedMoved = true;
      }
    }
    for (AllowRect r : rects.removed()) {
      if (r.peers().single() && r.ports().single()) {
        removed.add(r.elementText());
      } else {
        rangedMoved = true;
      }
    }
    java.util.SortedSet<String> ranged = before.ranged();
    if (rangedMoved) {
      java.util.Set<AllowRect> all = new java.util.HashSet<>();
      for (AllowRect r : rects) {
        if (!(r.peers().single() && r.ports().single())) {
          all.add(r);
        }
      }
      ranged = rangedElements(all);
    }
    return new ElementMemo.Elements(before.any(), exact.with(added, removed), ranged);
  }

  private static void check(String chain, String set, String peer, ElementMemo.Elements e,
      SortedMap<String, Chain> chains, SortedMap<String, NamedSet> sets, List<String> verdict) {
    // the memo's sets are unmodifiable views NamedSet keeps as they are; a shared trio is already there
    if (!sets.containsKey(set)) {
      sets.put(set + "_any", new NamedSet(set + "_any", false, "ipv4_addr", true, e.any()));
      sets.put(set + "_exact", new NamedSet(set + "_exact", false, RECT_TYPE, false, e.exact()));
      sets.put(set, new NamedSet(set, false, RECT_TYPE, true, e.ranged()));
    }
    List<String> body = new ArrayList<>();
    body.add("ip " + peer + " @" + set + "_any return");
    body.add("ip " + peer + " . meta l4proto . th dport @" + set + "_exact return");
    body.add("ip " + peer + " . meta l4proto . th dport @" + set + " return");
    body.addAll(verdict);
    chains.put(chain, new Chain(chain, null, body));
  }

  /** A tier's verdict set: interval, since cluster policy peers are mostly CIDRs and namespaces. */
  private static void tierSet(SortedMap<String, NamedSet> sets, String name, java.util.Set<AllowRect> rects) {
    TreeSet<String> elements = new TreeSet<>();
    rects.forEach(r -> elements.add(r.elementText()));
    sets.put(name, new NamedSet(name, false, RECT_TYPE, true, elements));
  }

  /** NFLOG with a prefix the agent parses back: pal:KIND:DIR:GROUP (local identity in GROUP). */
  private static String log(String kind, String dir, String group, int nflogGroup) {
    return "log prefix \"" + logPrefix(kind, dir, group) + "\" group " + nflogGroup;
  }

  /** The log prefix; {@link ConnectionVerdict} names the same logs. */
  static String logPrefix(String kind, String dir, String group) {
    return "pal:" + kind + ":" + dir + ":" + group;
  }
}
