package dev.palisade.kernel.nft;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SortedSet;

/**
 * The elements of one listed set: a sorted array of distinct texts, read-only, in the natural
 * order of {@link String} (a {@code TreeSet<String>} holds the same texts in the same order). A
 * table verified every minute lists 100k elements each time; a tree map entry per element cost
 * 40 bytes more than this array's 4-8, for a set nobody changes after it was read.
 */
final class SortedElements extends AbstractSet<String> implements SortedSet<String> {
  private static final SortedElements EMPTY = new SortedElements(new String[0], 0, 0);

  private final String[] items;
  private final int from;
  private final int to;

  private SortedElements(String[] items, int from, int to) {
    this.items = items;
    this.from = from;
    this.to = to;
  }

  /** The distinct texts of {@code read}, sorted; {@code read} is not kept. */
  static SortedElements of(List<String> read) {
    if (read.isEmpty()) {
      return EMPTY;
    }
    String[] a = read.toArray(new String[0]);
    Arrays.sort(a);
    int n = 1;
    for (int i = 1; i < a.length; i++) {
      if (!a[i].equals(a[n - 1])) {
        a[n++] = a[i];
      }
    }
    return new SortedElements(n == a.length ? a : Arrays.copyOf(a, n), 0, n);
  }

  @Override
  public int size() {
    return to - from;
  }

  @Override
  public boolean contains(Object o) {
    return o instanceof String s && Arrays.binarySearch(items, from, to, s) >= 0;
  }

  @Override
  public Iterator<String> iterator() {
    return new Iterator<>() {
      private int next = from;

      @Override
      public boolean hasNext() {
        return next < to;
      }

      @Override
      public String next() {
        if (next >= to) {
          throw new NoSuchElementException();
        }
        return items[next++];
      }
    };
  }

  @Override
  public Comparator<? super String> comparator() {
    return null; // natural order, as a TreeSet<String> without a comparator
  }

  @Override
  public String first() {
    if (from == to) {
      throw new NoSuchElementException();
    }
    return items[from];
  }

  @Override
  public String last() {
    if (from == to) {
      throw new NoSuchElementException();
    }
    return items[to - 1];
  }

  @Override
  public SortedSet<String> subSet(String fromElement, String toElement) {
    if (fromElement.compareTo(toElement) > 0) {
      throw new IllegalArgumentException("subSet from " + fromElement + " is after to " + toElement);
    }
    return new SortedElements(items, index(fromElement), Math.max(index(fromElement), index(toElement)));
  }

  @Override
  public SortedSet<String> headSet(String toElement) {
    return new SortedElements(items, from, index(toElement));
  }

  @Override
  public SortedSet<String> tailSet(String fromElement) {
    return new SortedElements(items, index(fromElement), to);
  }

  /** The position of the first item not before {@code s}, within this view. */
  private int index(String s) {
    int i = Arrays.binarySearch(items, from, to, s);
    return i >= 0 ? i : -i - 1;
  }
}
