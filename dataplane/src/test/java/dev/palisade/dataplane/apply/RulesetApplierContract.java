package dev.palisade.dataplane.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dataplane.render.AllowRect;
import dev.palisade.dataplane.render.AllowRect.Proto;
import dev.palisade.dataplane.render.DesiredRuleset;
import dev.palisade.dataplane.render.Interval;
import dev.palisade.dataplane.render.NodeRules;
import dev.palisade.dataplane.render.NodeRules.Direction;
import dev.palisade.dataplane.render.NodeRules.Enforcement;
import dev.palisade.dataplane.render.NodeRules.Group;
import dev.palisade.dataplane.render.RulesetRenderer;
import dev.palisade.kernel.nft.NftException;
import dev.palisade.kernel.nft.Nftables;
import dev.palisade.kernel.nft.TableState;
import dev.palisade.kernel.nft.Transaction;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The applier on an {@link Nftables}: the fake and the kernel must end in the same state. */
abstract class RulesetApplierContract {
  abstract Nftables nft();

  static Direction enforced(Enforcement e, String... peers) {
    Set<AllowRect> rects = new java.util.HashSet<>();
    for (String p : peers) {
      rects.add(new AllowRect(Interval.ip(p), Proto.TCP, Interval.port(9090)));
    }
    return new Direction(false, Set.of(), Set.of(), e, Set.of(), rects);
  }

  static DesiredRuleset node(List<Group> groups) {
    return RulesetRenderer.render(new NodeRules(groups));
  }

  static DesiredRuleset node(List<Group> groups, Set<String> closedV6) {
    return RulesetRenderer.render(new NodeRules(groups).withClosedV6(closedV6));
  }

  /** web and api are dual-stack: their IPv6 addresses are closed. */
  static final DesiredRuleset V1 = node(List.of(
      new Group("300", 300, Set.of("10.244.0.10", "10.244.0.11"), Direction.OPEN, enforced(Enforcement.ENFORCE, "10.244.0.20")),
      new Group("301", 301, Set.of("10.244.0.20"), enforced(Enforcement.MONITOR, "10.244.0.10"), Direction.OPEN)),
      Set.of("fd00:10:244::a", "fd00:10:244::b", "fd00:10:244::14"));
  /** web scaled (a pod IP more), api now enforced with a second peer, a new group db. */
  static final DesiredRuleset V2 = node(List.of(
      new Group("300", 300, Set.of("10.244.0.10", "10.244.0.11", "10.244.0.12"), Direction.OPEN,
          enforced(Enforcement.ENFORCE, "10.244.0.20")),
      new Group("301", 301, Set.of("10.244.0.20"), enforced(Enforcement.ENFORCE, "10.244.0.10", "10.244.0.12"),
          Direction.OPEN),
      new Group("302", 302, Set.of("10.244.0.30"), enforced(Enforcement.ENFORCE, "10.244.0.20"), Direction.OPEN)),
      Set.of("fd00:10:244::a", "fd00:10:244::b", "fd00:10:244::c", "fd00:10:244::14", "fd00:10:244::1e"));
  /** web gone, api back to learn. */
  static final DesiredRuleset V3 = node(List.of(
      new Group("302", 302, Set.of("10.244.0.30"), enforced(Enforcement.ENFORCE, "10.244.0.20"), Direction.OPEN)));

  /** Elements per set and rule counts per chain: what must match the desired state. */
  static TreeMap<String, Object> shape(TableState t) {
    TreeMap<String, Object> out = new TreeMap<>();
    t.sets().forEach((k, s) -> out.put("set " + k, s.elements()));
    t.chains().forEach((k, c) -> out.put("chain " + k, c.rules().size()));
    return out;
  }

  static TreeMap<String, Object> shape(DesiredRuleset d) {
    TreeMap<String, Object> out = new TreeMap<>();
    d.sets().forEach((k, s) -> out.put("set " + k, new java.util.TreeSet<>(s.elements())));
    d.chains().forEach((k, c) -> out.put("chain " + k, c.rules().size()));
    return out;
  }

  TableState table() {
    return nft().table("inet", "palisade").orElseThrow();
  }

  @Test
  void incrementalAppliesReachTheSameStateAsAFreshFullApply() {
    RulesetApplier applier = new RulesetApplier(nft());
    applier.apply(V1);
    assertEquals(shape(V1), shape(table()));
    Transaction t2 = applier.apply(V2);
    assertEquals(shape(V2), shape(table()));
    assertFalse(t2.toString().contains("flush set"), "incremental: element changes only, no set rewrite\n" + t2);
    assertTrue(t2.toString().contains("add element inet palisade ingress_dispatch { 10.244.0.30 : jump in_302 }"), t2.toString());
    assertTrue(t2.toString().contains("add element inet palisade closed_v6 { fd00:10:244::1e, fd00:10:244::c }"), t2.toString());
    applier.apply(V3);
    assertEquals(shape(V3), shape(table()));
    assertTrue(applier.apply(V3).isEmpty(), "nothing changed, nothing sent");
  }

  @Test
  void aRestartedAgentAdoptsTheTableWithoutDroppingIt() {
    new RulesetApplier(nft()).apply(V2);
    RulesetApplier restarted = new RulesetApplier(nft());
    Transaction adopt = restarted.apply(V3);
    assertFalse(adopt.toString().contains("delete table"), adopt.toString());
    assertEquals(shape(V3), shape(table()), "stale chains and sets of the earlier run are gone");
  }

  @Test
  void aRefusedApplyKeepsThePreviousRulesetAndTheNextOneResyncs() {
    RulesetApplier applier = new RulesetApplier(nft());
    applier.apply(V1);
    DesiredRuleset broken = node(List.of(new Group("300", 300, Set.of("10.244.0.10"), Direction.OPEN,
        enforced(Enforcement.ENFORCE, "10.244.0.20"))));
    // A chain rule that reads a set nobody defines: refused by the fake and the kernel alike.
    var chains = new TreeMap<>(broken.chains());
    chains.put("out_300", new DesiredRuleset.Chain("out_300", null, List.of("ip daddr @no_such_set accept")));
    DesiredRuleset bad = new DesiredRuleset(broken.family(), broken.table(), chains, broken.sets());
    assertThrows(NftException.class, () -> applier.apply(bad));
    assertEquals(shape(V1), shape(table()), "the previous ruleset is in force");
    assertEquals(1, applier.failures());
    applier.apply(V2);
    assertEquals(shape(V2), shape(table()));
  }

  /** A group whose egress allows n distinct peers: n elements in one set. */
  static DesiredRuleset big(String group, long id, String podIp, int n) {
    Set<AllowRect> rects = new java.util.HashSet<>();
    for (int k = 0; k < n; k++) {
      rects.add(new AllowRect(new Interval(0x0A000000L + 2L * k, 0x0A000000L + 2L * k), Proto.TCP, Interval.port(443)));
    }
    return node(List.of(new Group(group, id, Set.of(podIp), Direction.OPEN,
        new Direction(false, Set.of(), Set.of(), Enforcement.ENFORCE, Set.of(), rects))));
  }

  @Test
  void aLargeSyncIsCommittedInBoundedChunksAndReachesTheSameState() {
    DesiredRuleset large = big("300", 300, "10.244.0.10", 2500);
    RulesetApplier applier = new RulesetApplier(nft()).maxElementsPerCommit(1000);
    applier.apply(large);
    assertEquals(shape(large), shape(table()));
    assertTrue(applier.commits() >= 3, "2,500 elements in chunks of 1,000: " + applier.commits() + " commits");
    // a new group with a large set on top of a live one: staged, then switched on in one commit
    DesiredRuleset two = RulesetRenderer.render(new NodeRules(List.of(
        groupOf(big("300", 300, "10.244.0.10", 2500), "300"), groupOf(big("301", 301, "10.244.0.11", 1500), "301"))));
    long before = applier.commits();
    applier.apply(two);
    assertEquals(shape(two), shape(table()));
    assertTrue(applier.commits() - before >= 2, "the new group's 1,500 elements were staged");
    assertEquals(0, applier.failures());
  }

  /**
   * Random rule sets (those the verdict cross-check uses) applied one after the other: each is
   * loaded whole (nft refuses overlapping interval elements, a wrong set type) and read back equal,
   * IPv6 elements in the text nft prints.
   */
  @Test
  void randomRulesetsApplyOneAfterAnotherAndReadBackAsRendered() {
    dev.palisade.dataplane.render.RandomNodeRules random = new dev.palisade.dataplane.render.RandomNodeRules(7);
    RulesetApplier applier = new RulesetApplier(nft());
    for (int i = 0; i < 40; i++) {
      DesiredRuleset next = RulesetRenderer.render(random.rules());
      applier.apply(next);
      assertEquals(shape(next), shape(table()), "random ruleset " + i + "\n" + next.text());
    }
    assertEquals(0, applier.failures());
  }

  /** The group a one-group ruleset was rendered from, rebuilt (the renderer's input is not kept). */
  private static Group groupOf(DesiredRuleset oneGroup, String name) {
    Set<AllowRect> rects = new java.util.HashSet<>();
    java.util.SortedSet<String> elements = new java.util.TreeSet<>(oneGroup.sets().get("pal_out_" + name).elements());
    elements.addAll(oneGroup.sets().get("pal_out_" + name + "_exact").elements());
    for (String e : elements) {
      String[] p = e.split(" \\. ");
      rects.add(new AllowRect(Interval.ip(p[0]), Proto.valueOf(p[1].toUpperCase()), Interval.port(Integer.parseInt(p[2]))));
    }
    String ip = oneGroup.sets().get("egress_dispatch").elements().first().split(" : ")[0];
    return new Group(name, Long.parseLong(name), Set.of(ip), Direction.OPEN,
        new Direction(false, Set.of(), Set.of(), Enforcement.ENFORCE, Set.of(), rects));
  }
}
