package dev.palisade.dataplane.render;

import java.util.AbstractSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.SortedSet;
import java.util.TreeSet;
import org.pcollections.TreePSet;

/**
 * A set's element texts in nft's sort order (natural string order, as a {@code TreeSet}),
 * immutable, sharing its structure with the set it was made from (a persistent tree) and saying
 * what differs from that one ({@link #added}, {@link #removed}): the diff then writes those
 * instead of walking both sets. Made by the renderer from a {@link RectSet}'s difference, so one
 * pod event costs a few tree paths, not a sort of thousands of strings.
 *
 * <p>Only the step from the direct predecessor is kept (by its contents' identity), so versions
 * never chain in memory. Equal to any set with the same texts.
 */
public final class ElementSet extends AbstractSet<String> implements SortedSet<String> {
  private static final SortedSet<String> NONE = java.util.Collections.unmodifiableSortedSet(new TreeSet<>());

  private final TreePSet<String> items;
  private final TreePSet<String> from;
  private final SortedSet<String> added;
  private final SortedSet<String> removed;

  private ElementSet(TreePSet<String> items, TreePSet<String> from, SortedSet<String> added,
      SortedSet<String> removed) {
    this.items = items;
    this.from = from;
    this.added = added;
    this.removed = removed;
  }

  /** A set made whole from texts sorted naturally (a {@code TreeSet} without comparator). */
  public static ElementSet of(SortedSet<String> sorted) {
    if (sorted.comparator() != null) {
      throw new IllegalArgumentException("element texts must be in natural order, not " + sorted.comparator());
    }
    return new ElementSet(TreePSet.fromSortedSet(sorted), null, NONE, NONE);
  }

  /** This set with {@code add} added and {@code remove} taken out; what is told is what really changed. */
  public ElementSet with(Collection<String> add, Collection<String> remove) {
    TreePSet<String> next = items;
    TreeSet<String> in = new TreeSet<>();
    TreeSet<String> out = new TreeSet<>();
    for (String e : remove) {
      if (!add.contains(e) && next.contains(e)) {
        next = next.minus(e);
        out.add(e);
      }
    }
    for (String e : add) {
      if (!next.contains(e)) {
        next = next.plus(e);
        in.add(e);
      }
    }
    return new ElementSet(next, items, java.util.Collections.unmodifiableSortedSet(in),
        java.util.Collections.unmodifiableSortedSet(out));
  }

  /** True if this set was made from {@code other} by {@link #with}: {@link #added}/{@link #removed} are the difference. */
  public boolean madeFrom(SortedSet<String> other) {
    return from != null && other instanceof ElementSet e && e.items == from;
  }

  /** What {@link #with} added, sorted; empty for a set made whole. */
  public SortedSet<String> added() {
    return added;
  }

  /** What {@link #with} took out, sorted; empty for a set made whole. */
  public SortedSet<String> removed() {
    return removed;
  }

  @Override
  public boolean contains(Object o) {
    return o instanceof String && items.contains(o);
  }

  @Override
  public Iterator<String> iterator() {
    return items.iterator();
  }

  @Override
  public int size() {
    return items.size();
  }

  /** Natural order, said as a {@code TreeSet} says it (null), so the diff walks it beside one. */
  @Override
  public Comparator<? super String> comparator() {
    return null;
  }

  @Override
  public SortedSet<String> subSet(String fromElement, String toElement) {
    return items.subSet(fromElement, toElement);
  }

  @Override
  public SortedSet<String> headSet(String toElement) {
    return items.headSet(toElement);
  }

  @Override
  public SortedSet<String> tailSet(String fromElement) {
    return items.tailSet(fromElement);
  }

  @Override
  public String first() {
    return items.first();
  }

  @Override
  public String last() {
    return items.last();
  }
}
