package dev.palisade.kernel.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** A listed set's elements behave as the {@code TreeSet<String>} they replace, read-only. */
class SortedElementsTest {
  private static final List<String> READ = List.of("10.0.0.9 . tcp . 80", "10.0.0.1 . tcp . 80", "10.0.0.10 . udp . 53",
      "10.0.0.1 . tcp . 80", "10.0.0.2 . tcp . 443");

  @Test
  void sortedDistinctAndEqualToATreeSetOfTheSameTexts() {
    SortedSet<String> e = SortedElements.of(new ArrayList<>(READ));
    TreeSet<String> tree = new TreeSet<>(READ);
    assertEquals(tree, e);
    assertEquals(e, tree);
    assertEquals(tree.hashCode(), e.hashCode());
    assertEquals(List.copyOf(tree), List.copyOf(e));
    assertEquals(4, e.size());
    assertTrue(e.contains("10.0.0.2 . tcp . 443"));
    assertFalse(e.contains("10.0.0.3 . tcp . 443"));
    assertFalse(e.contains(7));
    assertNull(e.comparator());
    assertEquals(tree.first(), e.first());
    assertEquals(tree.last(), e.last());
  }

  @Test
  void viewsAreThoseOfATreeSet() {
    SortedSet<String> e = SortedElements.of(READ);
    TreeSet<String> tree = new TreeSet<>(READ);
    for (String from : List.of("", "10.0.0.1 . tcp . 80", "10.0.0.15", "10.0.0.9 . tcp . 80", "z")) {
      assertEquals(List.copyOf(tree.tailSet(from)), List.copyOf(e.tailSet(from)), from);
      assertEquals(List.copyOf(tree.headSet(from)), List.copyOf(e.headSet(from)), from);
      assertEquals(List.copyOf(tree.subSet("10.0.0.10", from.compareTo("10.0.0.10") < 0 ? "10.0.0.10" : from)),
          List.copyOf(e.subSet("10.0.0.10", from.compareTo("10.0.0.10") < 0 ? "10.0.0.10" : from)), from);
    }
    assertThrows(IllegalArgumentException.class, () -> e.subSet("b", "a"));
  }

  @Test
  void emptyAndReadOnly() {
    SortedSet<String> none = SortedElements.of(List.of());
    assertTrue(none.isEmpty());
    assertThrows(NoSuchElementException.class, none::first);
    assertThrows(NoSuchElementException.class, () -> none.iterator().next());
    SortedSet<String> e = SortedElements.of(READ);
    assertThrows(UnsupportedOperationException.class, () -> e.add("x"));
    assertThrows(UnsupportedOperationException.class, () -> e.remove("10.0.0.1 . tcp . 80"));
    assertEquals(4, e.size());
  }
}
