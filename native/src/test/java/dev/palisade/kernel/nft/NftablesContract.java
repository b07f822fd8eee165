package dev.palisade.kernel.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.kernel.nft.NftObject.Chain;
import dev.palisade.kernel.nft.NftObject.Element;
import dev.palisade.kernel.nft.NftObject.NftMap;
import dev.palisade.kernel.nft.NftObject.NftSet;
import dev.palisade.kernel.nft.NftObject.Rule;
import dev.palisade.kernel.nft.NftObject.Table;
import dev.palisade.kernel.nft.TableState.RuleState;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Nftables} must do, run against the fake and against the kernel (in a
 * throwaway namespace). When the fake and the kernel disagree, one of these fails.
 */
abstract class NftablesContract {
  static final String FAMILY = "inet";
  static final String TABLE = "paltest";

  abstract Nftables nft();

  @AfterEach
  void dropTable() {
    nft().run(tx().destroy(Table.of()));
  }

  static Transaction tx() {
    return new Transaction(FAMILY, TABLE);
  }

  static Transaction base() {
    return tx().add(Table.of())
        .add(NftSet.of("peers", "ipv4_addr . inet_proto . inet_service", "interval"))
        .add(NftSet.of("pods", "ipv4_addr"))
        .add(Chain.regular("check"))
        .add(Chain.base("pod_forward", "filter", "forward", "filter", "accept"))
        .add(Rule.of("pod_forward", "ct state established,related accept"))
        .add(Rule.of("pod_forward", "ip saddr @pods jump check"))
        .add(Rule.of("check", "ip saddr . meta l4proto . th dport @peers accept"))
        .add(Rule.withComment("check", "counter drop", "default"));
  }

  TableState state() {
    return nft().table(FAMILY, TABLE).orElseThrow(() -> new AssertionError("table " + TABLE + " missing"));
  }

  @Test
  void appliesATransactionAndReadsItBack() {
    nft().run(base()
        .add(Element.of("peers", "10.0.0.1 . tcp . 80"))
        .add(Element.of("peers", "10.1.0.0/24 . udp . 53"))
        .add(Element.of("pods", "10.0.0.7")));
    TableState s = state();
    assertEquals(Set.of("check", "pod_forward"), s.chains().keySet());
    assertEquals(2, s.chain("pod_forward").orElseThrow().rules().size());
    assertEquals("forward", s.chain("pod_forward").orElseThrow().hook().orElseThrow().hook());
    assertEquals(0, s.chain("pod_forward").orElseThrow().hook().orElseThrow().priority());
    assertTrue(s.chain("check").orElseThrow().hook().isEmpty());
    assertEquals(List.of("default"), s.chain("check").orElseThrow().rules().stream()
        .flatMap(r -> r.comment().stream()).toList());
    assertEquals(new TreeSet<>(List.of("10.0.0.1 . tcp . 80", "10.1.0.0/24 . udp . 53")),
        s.set("peers").orElseThrow().elements());
    assertEquals("ipv4_addr . inet_proto . inet_service", s.set("peers").orElseThrow().type());
    assertEquals(List.of("interval"), s.set("peers").orElseThrow().flags());
    assertEquals(Set.of("10.0.0.7"), s.set("pods").orElseThrow().elements());
  }

  @Test
  void aMissingTableReadsAsEmpty() {
    assertTrue(nft().table(FAMILY, "palnothere").isEmpty());
  }

  @Test
  void aDanglingSetReferenceIsRefusedAndNothingIsApplied() {
    nft().run(base().add(Element.of("pods", "10.0.0.7")));
    NftException e = assertThrows(NftException.class, () -> nft().run(tx()
        .add(Element.of("pods", "10.0.0.8"))
        .add(Rule.of("check", "ip daddr @nosuchset accept"))));
    assertEquals(NftException.Kind.NOT_FOUND, e.kind(), e.getMessage());
    assertEquals(2, e.lineNumber());
    assertTrue(e.line().orElseThrow().contains("@nosuchset"), e.getMessage());
    assertEquals(Set.of("10.0.0.7"), state().set("pods").orElseThrow().elements(), "the whole transaction was refused");
    assertEquals(2, state().chain("check").orElseThrow().rules().size());
  }

  @Test
  void aJumpToAMissingChainIsRefused() {
    nft().run(base());
    NftException e = assertThrows(NftException.class,
        () -> nft().run(tx().add(Rule.of("pod_forward", "ip daddr 10.0.0.1 jump nochain"))));
    assertEquals(NftException.Kind.NOT_FOUND, e.kind(), e.getMessage());
  }

  @Test
  void createOfAnExistingObjectIsRefusedAddIsNot() {
    nft().run(base());
    nft().run(tx().add(Table.of()).add(NftSet.of("pods", "ipv4_addr")).add(Chain.regular("check")));
    NftException e = assertThrows(NftException.class, () -> nft().run(tx().create(NftSet.of("pods", "ipv4_addr"))));
    assertEquals(NftException.Kind.ALREADY_EXISTS, e.kind(), e.getMessage());
    NftException c = assertThrows(NftException.class, () -> nft().run(tx().create(Chain.regular("check"))));
    assertEquals(NftException.Kind.ALREADY_EXISTS, c.kind(), c.getMessage());
    NftException t = assertThrows(NftException.class,
        () -> nft().run(tx().add(NftSet.of("pods", "ipv4_addr . inet_service"))));
    assertEquals(NftException.Kind.ALREADY_EXISTS, t.kind(), "a set cannot change type: " + t.getMessage());
  }

  @Test
  void deletingMissingObjectsFailsDestroyingThemDoesNot() {
    nft().run(base());
    assertEquals(NftException.Kind.NOT_FOUND,
        assertThrows(NftException.class, () -> nft().run(tx().delete(NftSet.named("nope")))).kind());
    assertEquals(NftException.Kind.NOT_FOUND,
        assertThrows(NftException.class, () -> nft().run(tx().delete(Element.of("pods", "10.9.9.9")))).kind());
    assertEquals(NftException.Kind.NOT_FOUND,
        assertThrows(NftException.class, () -> nft().run(tx().delete(Chain.regular("nope")))).kind());
    nft().run(tx()
        .destroy(NftSet.of("nope", "ipv4_addr"))
        .destroy(Element.of("pods", "10.9.9.9"))
        .destroy(Chain.regular("nope")));
    nft().run(tx().add(Element.of("pods", "10.0.0.1")));
    nft().run(tx().destroy(Element.of("pods", "10.0.0.1")));
    assertEquals(Set.of(), state().set("pods").orElseThrow().elements());
    nft().run(new Transaction(FAMILY, "palnothere").destroy(Table.of()));
  }

  @Test
  void objectsInUseCannotBeDeleted() {
    nft().run(base());
    NftException set = assertThrows(NftException.class, () -> nft().run(tx().delete(NftSet.named("peers"))));
    assertEquals(NftException.Kind.BUSY, set.kind(), set.getMessage());
    NftException chain = assertThrows(NftException.class, () -> nft().run(tx().delete(Chain.regular("check"))));
    assertEquals(NftException.Kind.BUSY, chain.kind(), chain.getMessage());
    // once nothing refers to them, they go: the base chain's rules hold the only references
    nft().run(tx().delete(Chain.regular("pod_forward")).delete(Chain.regular("check"))
        .delete(NftSet.named("peers")));
    assertEquals(Set.of(), state().chains().keySet());
    assertEquals(Set.of("pods"), state().sets().keySet());
  }

  @Test
  void rulesAreInsertedReplacedAndDeletedByHandle() {
    nft().run(tx().add(Table.of()).add(Chain.regular("c"))
        .add(Rule.withComment("c", "ip saddr 10.0.0.1 accept", "one"))
        .add(Rule.withComment("c", "ip saddr 10.0.0.3 accept", "three")));
    List<RuleState> rules = state().chain("c").orElseThrow().rules();
    long one = rules.get(0).handle();
    long three = rules.get(1).handle();
    nft().run(tx()
        .add(new Rule("c", "ip saddr 10.0.0.2 accept", java.util.Optional.of(one), java.util.Optional.of("two")))
        .insert(Rule.withComment("c", "ip saddr 10.0.0.0 accept", "zero")));
    assertEquals(List.of("zero", "one", "two", "three"), comments());
    nft().run(tx().replace(new Rule("c", "ip saddr 10.0.0.33 accept", java.util.Optional.of(three),
        java.util.Optional.of("three'"))));
    assertEquals(List.of("zero", "one", "two", "three'"), comments());
    assertEquals(three, state().chain("c").orElseThrow().rules().get(3).handle(), "replace keeps the handle");
    nft().run(tx().delete(Rule.handle("c", one)));
    assertEquals(List.of("zero", "two", "three'"), comments());
    NftException e = assertThrows(NftException.class, () -> nft().run(tx().delete(Rule.handle("c", one))));
    assertEquals(NftException.Kind.NOT_FOUND, e.kind());
    nft().run(tx().flush(Chain.regular("c")));
    assertEquals(List.of(), comments());
  }

  private List<String> comments() {
    return state().chain("c").orElseThrow().rules().stream().map(r -> r.comment().orElse("?")).toList();
  }

  @Test
  void verdictMapElementsMustNameExistingChainsAndKeepTheirValue() {
    nft().run(base().add(NftMap.of("dispatch", "ipv4_addr", "verdict"))
        .add(Element.mapping("dispatch", "10.0.0.1", "jump check")));
    assertEquals(Set.of("10.0.0.1 : jump check"), state().set("dispatch").orElseThrow().elements());
    assertTrue(state().set("dispatch").orElseThrow().map());
    assertEquals(NftException.Kind.NOT_FOUND, assertThrows(NftException.class,
        () -> nft().run(tx().add(Element.mapping("dispatch", "10.0.0.2", "jump nochain")))).kind());
    assertEquals(NftException.Kind.ALREADY_EXISTS, assertThrows(NftException.class,
        () -> nft().run(tx().add(Element.mapping("dispatch", "10.0.0.1", "accept")))).kind(),
        "changing a mapping needs delete then add");
    nft().run(tx().delete(Element.of("dispatch", "10.0.0.1")).add(Element.mapping("dispatch", "10.0.0.1", "accept")));
    assertEquals(Set.of("10.0.0.1 : accept"), state().set("dispatch").orElseThrow().elements());
    nft().run(tx().delete(Rule.handle("pod_forward", state().chain("pod_forward").orElseThrow().rules().get(1).handle())));
    // the map still jumps nowhere now; check stays referenced only if the map says so
    nft().run(tx().delete(Chain.regular("check")));
    assertFalse(state().chains().containsKey("check"));
  }

  @Test
  void anInvalidOperationIsReportedByRunAndNothingIsSent() {
    nft().run(base());
    Transaction bad = tx().add(Element.of("pods", "10.0.0.5"))
        .add(Rule.of("check", "accept; flush ruleset"))
        .add(Element.of("pods", "10.0.0.6"));
    assertTrue(bad.error().isPresent());
    NftException e = assertThrows(NftException.class, () -> nft().run(bad));
    assertEquals(NftException.Kind.INVALID, e.kind());
    assertTrue(e.getMessage().contains("operation 2"), e.getMessage());
    assertEquals(Set.of(), state().set("pods").orElseThrow().elements());
  }

  @Test
  void aHundredThousandElementsInOneCallThenOneMore() {
    nft().run(base());
    List<String> keys = new ArrayList<>(100_000);
    for (int i = 0; i < 100_000; i++) {
      keys.add("10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255) + " . tcp . " + (1000 + i % 50));
    }
    Transaction big = tx().addElements("peers", keys);
    assertEquals(100_000, big.size());
    assertEquals(1, big.toString().lines().count(), "one statement for a run of elements");
    nft().run(big);
    nft().run(tx().add(Element.of("peers", "10.200.0.1 . udp . 53")));
    var elements = state().set("peers").orElseThrow().elements();
    assertEquals(100_001, elements.size());
    assertTrue(elements.contains("10.200.0.1 . udp . 53"));
    assertTrue(elements.contains("10.1.134.159 . tcp . 1049"), "element 99999");
    nft().run(tx().delete(Element.of("peers", "10.200.0.1 . udp . 53")));
    assertEquals(100_000, state().set("peers").orElseThrow().elements().size());
  }

  @Test
  void checkDoesNotApply() {
    nft().run(base());
    nft().check(tx().add(Element.of("pods", "10.0.0.5")));
    assertEquals(Set.of(), state().set("pods").orElseThrow().elements());
    assertThrows(NftException.class, () -> nft().check(tx().add(Rule.of("check", "ip saddr @nope accept"))));
  }

  @Test
  void anElementWithATimeoutIsOneElementByItsKeyAndDestroyIgnoresAbsence() {
    nft().run(tx().add(Table.of()).add(NftSet.of("fqdn", "ipv4_addr . ipv4_addr . inet_proto . inet_service",
        "timeout")).add(Element.of("fqdn", "10.244.1.5 . 203.0.113.7 . tcp . 443 timeout 300s"))
        .add(Element.of("fqdn", "10.244.1.5 . 203.0.113.8 . tcp . 443 timeout 300s")));
    // the key alone names it, whatever timeout it was added with
    nft().run(tx().destroy(Element.of("fqdn", "10.244.1.5 . 203.0.113.7 . tcp . 443"))
        .destroy(Element.of("fqdn", "10.244.1.5 . 192.0.2.1 . tcp . 443")));
    List<String> left = new ArrayList<>(state().set("fqdn").orElseThrow().elements());
    assertEquals(1, left.size(), left.toString());
    assertTrue(left.get(0).startsWith("10.244.1.5 . 203.0.113.8 . tcp . 443"), left.toString());
    nft().run(tx().delete(Element.of("fqdn", "10.244.1.5 . 203.0.113.8 . tcp . 443")));
    assertTrue(state().set("fqdn").orElseThrow().elements().isEmpty());
    assertThrows(NftException.class, () -> nft().run(tx().delete(Element.of("fqdn",
        "10.244.1.5 . 203.0.113.8 . tcp . 443"))), "deleting an absent element fails; destroy is what ignores it");
  }
}
