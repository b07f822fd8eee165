package dev.palisade.dataplane.render;

import java.util.AbstractSet;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import org.pcollections.HashTreePSet;
import org.pcollections.PSet;

/**
 * An approved set of rectangles that a pod event changed by a few elements: immutable, sharing
 * its structure with the set it was made from (a persistent hash set), and saying what differs
 * from that one ({@link #added}, {@link #removed}), so the renderer can move the same few
 * elements instead of formatting and sorting the whole set again. At 10k pods an approved set
 * holds 1,000-3,000 rectangles and one pod moves one of them.
 *
 * <p>Only the step from the direct predecessor is kept (by its contents' identity, not the
 * object), so a long run of versions never chains in memory. Equal to any set with the same
 * rectangles.
 */
public final class RectSet extends AbstractSet<AllowRect> {
  private final PSet<AllowRect> items;
  /** The predecessor's contents; null when made whole. */
  private final PSet<AllowRect> from;
  private final Set<AllowRect> added;
  private final Set<AllowRect> removed;
  /**
   * The set's hash, moved with its elements: a NetworkPolicy side's hash is read on every sync
   * and walking thousands of rectangles for it was a cost of its own.
   */
  private final int hash;

  private RectSet(PSet<AllowRect> items, PSet<AllowRect> from, Set<AllowRect> added, Set<AllowRect> removed,
      int hash) {
    this.items = items;
    this.from = from;
    this.added = added;
    this.removed = removed;
    this.hash = hash;
  }

  /** A set made whole, with no predecessor. */
  public static RectSet of(Collection<AllowRect> rects) {
    PSet<AllowRect> items = HashTreePSet.from(rects);
    int hash = 0;
    for (AllowRect r : items) {
      hash += r.hashCode();
    }
    return new RectSet(items, null, Set.of(), Set.of(), hash);
  }

  /**
   * This set with {@code add} added and {@code remove} taken out (a rectangle in both stays out of
   * neither: it is added). What is told as added or removed is what really changed.
   */
  public RectSet with(Collection<AllowRect> add, Collection<AllowRect> remove) {
    PSet<AllowRect> next = items;
    int nextHash = hash;
    Set<AllowRect> in = new HashSet<>();
    Set<AllowRect> out = new HashSet<>();
    for (AllowRect r : remove) {
      if (!add.contains(r) && next.contains(r)) {
        next = next.minus(r);
        nextHash -= r.hashCode();
        out.add(r);
      }
    }
    for (AllowRect r : add) {
      if (!next.contains(r)) {
        next = next.plus(r);
        nextHash += r.hashCode();
        in.add(r);
      }
    }
    return new RectSet(next, items, Set.copyOf(in), Set.copyOf(out), nextHash);
  }

  /** True if this set was made from {@code other} by {@link #with} (then {@link #added}/{@link #removed} are the difference). */
  public boolean madeFrom(Set<?> other) {
    return from != null && other instanceof RectSet r && r.items == from;
  }

  /** What {@link #with} added to the predecessor; empty for a set made whole. */
  public Set<AllowRect> added() {
    return added;
  }

  /** What {@link #with} took out of the predecessor; empty for a set made whole. */
  public Set<AllowRect> removed() {
    return removed;
  }

  /** The predecessor's contents, by identity (for caches keyed by it); null when made whole. */
  Object fromToken() {
    return from;
  }

  /** This set's contents, by identity (what a successor's {@link #fromToken} names). */
  Object token() {
    return items;
  }

  @Override
  public boolean contains(Object o) {
    return items.contains(o);
  }

  @Override
  public Iterator<AllowRect> iterator() {
    return items.iterator();
  }

  /** As {@link Set#hashCode} says (the sum of the elements' hashes), without walking them. */
  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public int size() {
    return items.size();
  }
}
