package dev.palisade.dataplane.render;

import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A cache kept from one round (an agent sync, a compile, a render) to the next, holding only what
 * the latest round used: {@link #begin} starts a round, and entries not used since the previous
 * {@code begin} are dropped then. The agent's caches of pods, policies and set elements all live
 * this way, so none grows with objects the cluster no longer has. Not thread-safe.
 */
public final class KeptWhileUsed<K, V> {
  private final Supplier<Map<K, V>> empty;
  private Map<K, V> previous;
  private Map<K, V> current;

  /** @param empty a new empty map: an IdentityHashMap to keep entries per object, a HashMap per value */
  public KeptWhileUsed(Supplier<Map<K, V>> empty) {
    this.empty = empty;
    this.previous = empty.get();
    this.current = empty.get();
  }

  /** Starts a round: what the last one used is what this one can reuse. */
  public void begin() {
    previous = current;
    current = empty.get();
  }

  /** The value kept for the key (made if none), kept for the next round too. */
  public V get(K key, Function<K, V> make) {
    V v = current.get(key);
    if (v == null) {
      v = previous.get(key);
      if (v == null) {
        v = make.apply(key);
      }
      current.put(key, v);
    }
    return v;
  }

  /** Replaces the value kept for the key (one found stale). */
  public void put(K key, V value) {
    current.put(key, value);
  }

  /** Each value the previous round used and this one has not (so far): what this round drops. */
  public void forEachDropped(java.util.function.Consumer<V> action) {
    previous.forEach((k, v) -> {
      if (!current.containsKey(k)) {
        action.accept(v);
      }
    });
  }

  /** How many entries this round has used. */
  public int size() {
    return current.size();
  }
}
