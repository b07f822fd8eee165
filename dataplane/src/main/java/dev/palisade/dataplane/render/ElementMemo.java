package dev.palisade.dataplane.render;

import java.util.Set;
import java.util.SortedSet;
import java.util.function.Supplier;

/**
 * The set elements the renderer last wrote for a (peer addresses, peer rectangles) pair, kept by
 * the pair's identity: the agent's NetworkPolicy compile hands back the very same set objects
 * while nothing about them changed, and formatting 10k elements as text on every sync cost more
 * than anything else in it. Entries the latest render did not use are dropped. Not thread-safe:
 * one agent loop owns it. {@link #NONE} keeps nothing (golden files, tests, one-off renders).
 */
public final class ElementMemo {
  /** A check's three sets: any-peer addresses, exact (address . proto . port) and ranged tuples. */
  record Elements(SortedSet<String> any, SortedSet<String> exact, SortedSet<String> ranged) {}

  /** A (peer addresses, peer rectangles) pair, equal only to the very same two set objects. */
  record Key(Set<?> any, Set<?> rects) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.any == any && k.rects == rects;
    }

    @Override
    public int hashCode() {
      return 31 * System.identityHashCode(any) + System.identityHashCode(rects);
    }
  }

  public static final ElementMemo NONE = new ElementMemo(false);

  /** Elements made for an approved set, found again by its contents' identity ({@link RectSet#token}). */
  private record Made(Set<Interval> any, Elements elements) {}

  private final boolean keeps;
  private final KeptWhileUsed<Key, Elements> kept = new KeptWhileUsed<>(java.util.HashMap::new);
  private final KeptWhileUsed<Object, Made> byRects = new KeptWhileUsed<>(java.util.IdentityHashMap::new);

  public ElementMemo() {
    this(true);
  }

  private ElementMemo(boolean keeps) {
    this.keeps = keeps;
  }

  /** Starts a render. */
  void begin() {
    if (keeps) {
      kept.begin();
      byRects.begin();
    }
  }

  Elements get(Set<Interval> any, Set<AllowRect> rects, Supplier<Elements> make) {
    return get(any, rects, make, null);
  }

  /**
   * As above; when {@code rects} is a {@link RectSet} made from a set whose elements the last
   * render kept (with the same {@code any}), {@code derive} moves those elements by the
   * difference instead of {@code make} building them whole ({@code derive} may answer null: cannot).
   */
  Elements get(Set<Interval> any, Set<AllowRect> rects, Supplier<Elements> make,
      java.util.function.BiFunction<Elements, RectSet, Elements> derive) {
    if (!keeps) {
      return make.get();
    }
    Elements made = kept.get(new Key(any, rects), k -> {
      if (derive != null && rects instanceof RectSet r && r.fromToken() != null) {
        Made before = byRects.find(r.fromToken());
        Elements moved = before != null && before.any() == any ? derive.apply(before.elements(), r) : null;
        if (moved != null) {
          return moved;
        }
      }
      return make.get();
    });
    if (rects instanceof RectSet r) {
      byRects.get(r.token(), t -> new Made(any, made)); // kept while used, for the next version's step
    }
    return made;
  }
}
