package dev.palisade.dataplane.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dataplane.render.DesiredRuleset;
import dev.palisade.dataplane.render.DesiredRuleset.Chain;
import dev.palisade.dataplane.render.DesiredRuleset.NamedSet;
import dev.palisade.kernel.nft.NftObject;
import dev.palisade.kernel.nft.NftObject.Element;
import dev.palisade.kernel.nft.NftObject.NftSet;
import dev.palisade.kernel.nft.NftObject.Table;
import dev.palisade.kernel.nft.Nftables;
import dev.palisade.kernel.nft.Transaction;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A restarted applier adopts the table it finds: it writes exactly what differs, atomically, and
 * verify() names what differs. Runs on the fake and on the kernel (whose read-back rewrites
 * elements: the table below holds every element shape the renderer writes).
 */
abstract class RulesetAdoptionContract {
  abstract Nftables nft();

  static final String FAMILY = "inet";
  static final String TABLE = "palisade";
  static final String TUPLE = "ipv4_addr . inet_proto . inet_service";

  static NamedSet set(String name, String type, boolean interval, String... elements) {
    return new NamedSet(name, false, type, interval, new TreeSet<>(List.of(elements)));
  }

  static DesiredRuleset ruleset(List<NamedSet> sets, List<Chain> chains) {
    TreeMap<String, NamedSet> s = new TreeMap<>();
    sets.forEach(x -> s.put(x.name(), x));
    TreeMap<String, Chain> c = new TreeMap<>();
    chains.forEach(x -> c.put(x.name(), x));
    return new DesiredRuleset(FAMILY, TABLE, c, s);
  }

  static final NamedSet ANY = set("allow_any", "ipv4_addr", true, "10.244.0.1", "10.9.0.0/16", "10.1.0.0-10.1.0.12",
      "10.3.0.0-10.3.0.255");
  static final NamedSet TUPLES = set("allow_tuples", TUPLE, true, "10.244.0.0-10.244.0.12 . tcp . 9090-9091",
      "10.0.0.5 . tcp . 6443", "10.244.0.53 . udp . 53", "10.1.0.0/24 . tcp . 0-65535", "10.4.0.0-10.4.0.255 . tcp . 80");
  static final NamedSet EXACT = set("allow_exact", TUPLE, false, "10.244.0.10 . tcp . 9090", "10.244.0.11 . udp . 53");
  static final NamedSet DISPATCH = new NamedSet("dispatch", true, "ipv4_addr : verdict", false,
      new TreeSet<>(List.of("10.244.0.20 : jump in_a", "10.244.0.21 : jump in_b")));
  static final Chain FORWARD = new Chain("pod_forward", new dev.palisade.kernel.nft.NftObject.BaseHook("filter", "forward", "filter", "accept"),
      List.of("ct state established,related accept", "ip saddr @allow_any accept", "ip daddr vmap @dispatch"));
  static final Chain IN_A = new Chain("in_a", null, List.of("ip saddr . meta l4proto . th dport @allow_tuples return",
      "ip saddr . meta l4proto . th dport @allow_exact return", "counter drop"));
  static final Chain IN_B = new Chain("in_b", null, List.of());
  /** Every element shape the renderer writes, a base chain, a verdict map, an empty chain. */
  static final DesiredRuleset SHAPES = ruleset(List.of(ANY, TUPLES, EXACT, DISPATCH), List.of(FORWARD, IN_A, IN_B));

  RecordingNftables recording;

  /** A table written by an earlier agent run, then a new applier over it (as after kill -9). */
  RulesetApplier restartedOver(DesiredRuleset earlier, Consumer<Transaction> tamper) {
    new RulesetApplier(nft()).apply(earlier);
    Transaction t = new Transaction(FAMILY, TABLE);
    tamper.accept(t);
    if (!t.isEmpty()) {
      nft().run(t);
    }
    recording = new RecordingNftables(nft());
    return new RulesetApplier(recording);
  }

  @Test
  void aRestartOverAnIdenticalTableCommitsNothing() {
    RulesetApplier a = restartedOver(SHAPES, t -> {});
    assertEquals(List.of(), a.verify(SHAPES), "the kernel's read-back meets the renderer's text");
    a.apply(SHAPES);
    assertEquals(0, a.commits(), () -> "nothing differs, nothing written: " + recording.commits());
  }

  @Test
  void oneDeletedElementIsAddedBackInOneCommit() {
    RulesetApplier a = restartedOver(SHAPES, t -> t.delete(Element.of("allow_exact", "10.244.0.11 . udp . 53")));
    a.apply(SHAPES);
    assertEquals(1, a.commits());
    assertEquals("add element inet palisade allow_exact { 10.244.0.11 . udp . 53 }\n", recording.commits().get(0).text());
    assertEquals(List.of(), a.verify(SHAPES));
  }

  @Test
  void aSurplusElementAndAChangedVerdictAreUndone() {
    RulesetApplier a = restartedOver(SHAPES, t -> t.add(Element.of("allow_any", "10.7.0.1"))
        .delete(Element.of("dispatch", "10.244.0.21")).add(Element.mapping("dispatch", "10.244.0.21", "jump in_a")));
    a.apply(SHAPES);
    assertEquals(1, a.commits(), "one atomic repair");
    String tx = recording.commits().get(0).text();
    assertTrue(tx.contains("delete element inet palisade allow_any { 10.7.0.1 }"), tx);
    assertTrue(tx.indexOf("delete element inet palisade dispatch { 10.244.0.21 }")
        < tx.indexOf("add element inet palisade dispatch { 10.244.0.21 : jump in_b }"), tx);
    assertEquals(List.of(), a.verify(SHAPES));
  }

  @Test
  void aFlushedChainIsRefilledAtomicallyAndOnlyIt() {
    RulesetApplier a = restartedOver(SHAPES, t -> t.flush(NftObject.Chain.regular("in_a")));
    a.apply(SHAPES);
    assertEquals(1, a.commits());
    String tx = recording.commits().get(0).text();
    assertTrue(tx.startsWith("flush chain inet palisade in_a\nadd rule inet palisade in_a "), tx);
    assertEquals(4, tx.lines().count(), "flush + 3 rules, nothing else: " + tx);
    assertEquals(List.of(), a.verify(SHAPES));
  }

  @Test
  void aMissingSetIsCreatedAndTheChainReadingItRefilled() {
    RulesetApplier a = restartedOver(SHAPES, t -> t.flush(NftObject.Chain.regular("in_a"))
        .delete(NftSet.named("allow_exact")));
    a.apply(SHAPES);
    assertEquals(1, a.commits());
    assertEquals(List.of(), a.verify(SHAPES));
  }

  @Test
  void aSetWithTheWrongFlagsAndABaseChainWithTheWrongPolicyAreRecreated() {
    RulesetApplier a = restartedOver(SHAPES, t -> t.flush(NftObject.Chain.regular("in_a"))
        .delete(NftSet.named("allow_exact")).add(NftSet.of("allow_exact", TUPLE, "interval"))
        .add(NftObject.Chain.base("pod_forward", "filter", "forward", "filter", "drop")));
    assertTrue(a.verify(SHAPES).contains("set allow_exact has the wrong type or flags"), a.verify(SHAPES).toString());
    assertTrue(a.verify(SHAPES).contains("chain pod_forward has the wrong hook, priority or policy"));
    a.apply(SHAPES);
    assertEquals(1, a.commits());
    assertEquals(List.of(), a.verify(SHAPES));
  }

  @Test
  void aDeletedTableIsWrittenWhole() {
    RulesetApplier a = restartedOver(SHAPES, t -> t.delete(Table.of()));
    assertEquals(List.of("table inet palisade missing"), a.verify(SHAPES));
    a.apply(SHAPES);
    assertEquals(List.of(), a.verify(SHAPES));
  }

  @Test
  void verifyNamesEachKindOfTampering() {
    RulesetApplier a = restartedOver(SHAPES, t -> t.flush(NftObject.Chain.regular("in_a"))
        .delete(Element.of("allow_tuples", "10.0.0.5 . tcp . 6443")).add(Element.of("allow_any", "10.7.0.1"))
        .add(NftObject.Chain.regular("intruder")));
    List<String> found = a.verify(SHAPES);
    assertEquals(List.of(
        "chain in_a does not hold the wanted rules (rule count or digest differ)",
        "chain intruder is not wanted",
        "set allow_any: 1 surplus element(s), e.g. [10.7.0.1]",
        "set allow_tuples: 1 element(s) missing, e.g. [10.0.0.5 . tcp . 6443]"), found);
    assertEquals(0, a.commits(), "verify writes nothing");
  }

  @Test
  void overlappingIntervalsAreSwappedInOneCommitWhileOtherChangesAreChunked() {
    RulesetApplier a = restartedOver(SHAPES, t -> t.delete(Element.of("allow_any", "10.9.0.0/16"))
        .add(Element.of("allow_any", "10.9.1.0/24")).delete(Element.of("allow_any", "10.244.0.1"))
        .add(Element.of("allow_tuples", "10.5.0.1 . tcp . 1")));
    a.maxElementsPerCommit(1);
    a.apply(SHAPES);
    List<RecordingNftables.Commit> commits = recording.commits();
    assertEquals(3, commits.size(), commits.toString());
    assertEquals("add element inet palisade allow_any { 10.244.0.1 }\n", commits.get(0).text(), "adds first");
    assertEquals("delete element inet palisade allow_any { 10.9.1.0/24 }\nadd element inet palisade allow_any { 10.9.0.0/16 }\n",
        commits.get(1).text(), "an overlapping pair lands together (the kernel refuses overlapping intervals)");
    assertEquals("delete element inet palisade allow_tuples { 10.5.0.1 . tcp . 1 }\n", commits.get(2).text(),
        "deletes last");
    assertEquals(List.of(), a.verify(SHAPES));
  }

  @Test
  void theIncrementalPathStaysIncrementalAfterAnAdoption() {
    RulesetApplier a = restartedOver(SHAPES, t -> {});
    a.apply(SHAPES);
    NamedSet more = set("allow_exact", TUPLE, false, "10.244.0.10 . tcp . 9090", "10.244.0.11 . udp . 53",
        "10.244.0.12 . tcp . 80");
    DesiredRuleset next = ruleset(List.of(ANY, TUPLES, more, DISPATCH), List.of(FORWARD, IN_A, IN_B));
    Transaction tx = a.apply(next);
    assertEquals("add element inet palisade allow_exact { 10.244.0.12 . tcp . 80 }\n", tx.toString());
    assertEquals(List.of(), a.verify(next));
  }

  /**
   * A restart over {@code n} tuples with 1% of them replaced: bounded commits, adds before
   * deletes, and every state in between holds at least (old ∩ new) and at most (old ∪ new).
   */
  RulesetApplier restartWithOnePercentChanged(int n, int maxPerCommit) {
    DesiredRuleset old = big(n, 0);
    DesiredRuleset next = big(n, n / 100);
    new RulesetApplier(nft()).maxElementsPerCommit(maxPerCommit).apply(old);
    recording = new RecordingNftables(nft());
    Set<String> before = old.sets().get("big").elements();
    Set<String> after = next.sets().get("big").elements();
    recording.afterEachCommit(t -> {
      Set<String> now = t.sets().get("big").elements();
      for (String e : before) {
        assertTrue(!after.contains(e) || now.contains(e), "an element both states hold went missing: " + e);
      }
      for (String e : now) {
        assertTrue(before.contains(e) || after.contains(e), "an element neither state holds appeared: " + e);
      }
    });
    RulesetApplier a = new RulesetApplier(recording).maxElementsPerCommit(maxPerCommit);
    a.apply(next);
    assertEquals(List.of(), a.verify(next));
    return a;
  }

  /** n exact tuples; the first {@code moved} of them on other addresses. */
  static DesiredRuleset big(int n, int moved) {
    TreeSet<String> elements = new TreeSet<>();
    for (int k = 0; k < n; k++) {
      long ip = (k < moved ? 0x0B000000L : 0x0A000000L) + 2L * k;
      elements.add(((ip >>> 24) & 255) + "." + ((ip >>> 16) & 255) + "." + ((ip >>> 8) & 255) + "." + (ip & 255)
          + " . tcp . 443");
    }
    NamedSet big = new NamedSet("big", false, TUPLE, false, elements);
    Chain c = new Chain("in_big", null, List.of("ip saddr . meta l4proto . th dport @big return", "counter drop"));
    return ruleset(List.of(big), List.of(c));
  }

  @Test
  void aRestartWithOnePercentChangedWritesBoundedCommitsAddsFirst() {
    RulesetApplier a = restartWithOnePercentChanged(10_000, 40);
    List<RecordingNftables.Commit> commits = recording.commits();
    assertEquals(List.of(40, 40, 20, 40, 40, 20), commits.stream().map(RecordingNftables.Commit::elementOps).toList(),
        "100 adds, then 100 deletes, in chunks of at most 40");
    for (int k = 0; k < commits.size(); k++) {
      assertTrue(commits.get(k).text().startsWith(k < 3 ? "add element" : "delete element"), commits.get(k).text());
    }
    assertEquals(commits.size(), a.commits());
  }
}
