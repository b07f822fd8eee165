package dev.palisade.kernel.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.kernel.nft.NftObject.Chain;
import dev.palisade.kernel.nft.NftObject.Element;
import dev.palisade.kernel.nft.NftObject.NftMap;
import dev.palisade.kernel.nft.NftObject.NftSet;
import dev.palisade.kernel.nft.NftObject.Rule;
import dev.palisade.kernel.nft.NftObject.Table;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TransactionTest {
  private static Transaction tx() {
    return new Transaction("inet", "palisade");
  }

  @Test
  void textIsWhatNftReads() {
    Transaction t = tx().add(Table.of())
        .add(Chain.base("pod_forward", "filter", "forward", "filter", "accept"))
        .add(Chain.regular("in_web"))
        .add(NftSet.of("pal_in_web", "ipv4_addr . inet_proto . inet_service", "interval"))
        .add(NftMap.of("ingress_dispatch", "ipv4_addr", "verdict"))
        .add(Rule.withComment("in_web", "ip saddr . meta l4proto . th dport @pal_in_web accept", "approved"))
        .insert(Rule.at("in_web", 7, "ct state established accept"))
        .replace(Rule.at("in_web", 9, "drop"))
        .delete(Rule.handle("in_web", 11))
        .add(Element.of("pal_in_web", "10.0.0.1 . tcp . 80"))
        .add(Element.of("pal_in_web", "10.0.0.2 . tcp . 80"))
        .add(Element.mapping("ingress_dispatch", "10.0.0.9", "jump in_web"))
        .delete(Element.of("pal_in_web", "10.0.0.3 . tcp . 80"))
        .flush(NftSet.named("pal_in_web"))
        .delete(NftMap.named("ingress_dispatch"));
    assertFalse(t.error().isPresent());
    assertEquals("""
        add table inet palisade
        add chain inet palisade pod_forward { type filter hook forward priority filter ; policy accept ; }
        add chain inet palisade in_web
        add set inet palisade pal_in_web { type ipv4_addr . inet_proto . inet_service ; flags interval ; }
        add map inet palisade ingress_dispatch { type ipv4_addr : verdict ; }
        add rule inet palisade in_web ip saddr . meta l4proto . th dport @pal_in_web accept comment "approved"
        insert rule inet palisade in_web position 7 ct state established accept
        replace rule inet palisade in_web handle 9 drop
        delete rule inet palisade in_web handle 11
        add element inet palisade pal_in_web { 10.0.0.1 . tcp . 80, 10.0.0.2 . tcp . 80 }
        add element inet palisade ingress_dispatch { 10.0.0.9 : jump in_web }
        delete element inet palisade pal_in_web { 10.0.0.3 . tcp . 80 }
        flush set inet palisade pal_in_web
        delete map inet palisade ingress_dispatch
        """, t.toString());
    assertEquals(15, t.size());
  }

  @Test
  void destroyIsAddThenDeleteForNftWithoutDestroy() {
    Transaction t = tx().destroy(Chain.regular("old")).destroy(NftSet.of("s", "ipv4_addr"))
        .destroy(Element.mapping("m", "10.0.0.1", "accept")).destroy(Table.of());
    assertEquals("""
        add chain inet palisade old
        flush chain inet palisade old
        delete chain inet palisade old
        add set inet palisade s { type ipv4_addr ; }
        delete set inet palisade s
        add element inet palisade m { 10.0.0.1 : accept }
        delete element inet palisade m { 10.0.0.1 }
        add table inet palisade
        delete table inet palisade
        """, t.toString());
  }

  @Test
  void theFirstInvalidOperationIsKeptAndNamed() {
    Transaction t = tx().add(Table.of())
        .add(Chain.regular("fwd"))
        .add(Rule.of("c", "accept ; flush ruleset"));
    NftException e = t.error().orElseThrow();
    assertEquals(NftException.Kind.INVALID, e.kind());
    assertTrue(e.getMessage().contains("operation 2 (add chain)"), e.getMessage());
    assertTrue(e.getMessage().contains("'fwd' is an nft keyword"), e.getMessage());
  }

  @Test
  void injectionAndMalformedOperationsAreRefused() {
    record Case(Transaction tx, String says) {}
    List<Case> cases = List.of(
        new Case(tx().add(Rule.of("c", "accept # comment")), "contains ';', '#'"),
        new Case(tx().add(Rule.of("c", "accept\nflush ruleset")), "line break"),
        new Case(tx().add(Element.of("s", "10.0.0.1, 10.0.0.2")), "one element per operation"),
        new Case(tx().add(Element.of("s", "10.0.0.1 }")), "brace"),
        new Case(tx().add(Element.of("s", " ")), "empty"),
        new Case(tx().delete(Rule.of("c", "accept")), "needs the rule's handle"),
        new Case(tx().replace(Rule.of("c", "accept")), "needs the rule's handle"),
        new Case(tx().destroy(Rule.handle("c", 4)), "nft >= 1.0.8"),
        new Case(tx().insert(NftSet.of("s", "ipv4_addr")), "cannot insert a set"),
        new Case(tx().add(NftSet.of("s", "")), "set type is empty"),
        new Case(tx().add(new Rule("c", "accept", Optional.empty(), Optional.of("say \"hi\""))), "comment"),
        new Case(tx().add(NftSet.of("9lives", "ipv4_addr")), "must be a letter"),
        new Case(new Transaction("inet6", "t"), "unknown family"));
    for (Case c : cases) {
      NftException e = c.tx.error().orElseThrow(() -> new AssertionError("accepted: " + c.tx));
      assertTrue(e.getMessage().contains(c.says), e.getMessage() + " should say " + c.says);
    }
  }

  @Test
  void lineOfEachOperationFollowsMergedElementRuns() {
    Transaction t = tx().add(Table.of()).add(Element.of("s", "1.1.1.1")).add(Element.of("s", "1.1.1.2"))
        .add(Rule.of("c", "accept"));
    assertEquals(List.of(1, 2, 2, 3), java.util.Arrays.stream(t.lineOfOps()).boxed().toList());
  }
}
