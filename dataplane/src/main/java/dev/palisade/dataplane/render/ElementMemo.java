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

  private final boolean keeps;
  private final KeptWhileUsed<Key, Elements> kept = new KeptWhileUsed<>(java.util.HashMap::new);

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
    }
  }

  Elements get(Set<Interval> any, Set<AllowRect> rects, Supplier<Elements> make) {
    if (!keeps) {
      return make.get();
    }
    return kept.get(new Key(any, rects), k -> make.get());
  }
}
