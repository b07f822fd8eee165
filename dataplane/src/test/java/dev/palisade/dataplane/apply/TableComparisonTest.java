package dev.palisade.dataplane.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dataplane.apply.TableComparison.ElementChange;
import dev.palisade.dataplane.render.DesiredRuleset;
import dev.palisade.dataplane.render.DesiredRuleset.NamedSet;
import dev.palisade.kernel.nft.TableState;
import dev.palisade.kernel.nft.TableState.SetState;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Element comparison: texts the kernel lists as the renderer wrote them match without a canonical
 * copy of either side; any other text is still compared in canonical form, so a set that differs
 * only in spelling differs in nothing, and one that differs in an element says which.
 */
class TableComparisonTest {
  private static final String TYPE = "ipv4_addr . inet_proto . inet_service";

  private static Map<String, ElementChange> compare(List<String> kernel, List<String> wanted) {
    TableState have = new TableState("inet", "palisade", new TreeMap<>(),
        new TreeMap<>(Map.of("s", new SetState("s", false, TYPE, List.of("interval"), new TreeSet<>(kernel)))));
    DesiredRuleset want = new DesiredRuleset("inet", "palisade", new TreeMap<>(),
        new TreeMap<>(Map.of("s", new NamedSet("s", false, TYPE, true, new TreeSet<>(wanted)))));
    return TableComparison.of(Optional.of(have), want).elements();
  }

  @Test
  void theSameTextsDifferInNothing() {
    List<String> texts = List.of("10.0.0.2 . tcp . 80", "10.0.0.4 . udp . 53", "10.1.0.0/24 . tcp . 8000-8080");
    assertEquals(Map.of(), compare(texts, texts));
  }

  @Test
  void anotherSpellingOfTheSameElementsDiffersInNothing() {
    assertEquals(Map.of(), compare(List.of("10.0.0.2 . tcp . 80", "10.2.0.0/24 . tcp . 80"),
        List.of("10.0.0.2 . 6 . 80-80", "10.2.0.0-10.2.0.255 . tcp . 80")));
  }

  @Test
  void aMissingAndASurplusElementAreNamedInTheirOwnTexts() {
    Map<String, ElementChange> d = compare(List.of("10.0.0.2 . tcp . 80", "10.2.0.0/24 . tcp . 80", "10.9.9.9 . tcp . 22"),
        List.of("10.0.0.2 . tcp . 80", "10.2.0.0-10.2.0.255 . tcp . 80", "10.0.0.4 . udp . 53"));
    assertEquals(List.of("10.0.0.4 . udp . 53"), d.get("s").missing());
    assertEquals(List.of("10.9.9.9 . tcp . 22"), d.get("s").surplus());
  }

  @Test
  void textsAreTheSameOnlyInTheSameNaturalOrder() {
    TreeSet<String> a = new TreeSet<>(List.of("a", "b"));
    assertTrue(TableComparison.sameTexts(a, Collections.unmodifiableSortedSet(new TreeSet<>(a))));
    assertFalse(TableComparison.sameTexts(a, new TreeSet<>(List.of("a", "c"))));
    assertFalse(TableComparison.sameTexts(a, new TreeSet<>(List.of("a"))));
    TreeSet<String> reversed = new TreeSet<>(Collections.reverseOrder());
    reversed.addAll(a);
    assertFalse(TableComparison.sameTexts(a, reversed), "another order is left to the canonical comparison");
  }
}
