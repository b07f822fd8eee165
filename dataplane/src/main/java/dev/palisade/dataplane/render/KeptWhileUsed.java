package dev.palisade.dataplane.render;

import java.util.Map;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * A cache kept from one round (an agent sync, a compile, a render) to the next, holding only what
 * the latest round used: {@link #begin} starts a round, and entries not used since the previous
 * {@code begin} are dropped then. The agent's caches of pods, policies and set elements all live
 * this way, so none grows with objects the cluster no longer has. Not thread-safe.
 */
public final class KeptWhileUsed<K, V> {
  private final IntFunction<Map<K, V>> empty;
  private Map<K, V> previous;
  private Map<K, V> current;

  /**
   * @param empty a new empty map for about that many entries: an IdentityHashMap to keep entries
   *     per object, a HashMap per value
   */
  public KeptWhileUsed(IntFunction<Map<K, V>> empty) {
    this.empty = empty;
    this.previous = empty.apply(0);
    this.current = empty.apply(0);
  }

  /** Starts a round: what the last one used is what this one can reuse. */
  public void begin() {
    previous = current;
    // sized for last round's use: growing a 10k-entry map step by step on every sync cost more than filling it
    current = empty.apply(previous.size() + previous.size() / 3 + 1);
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

  /** The value this round or the last one kept for the key, or null; keeps nothing for the next round. */
  public V find(K key) {
    V v = current.get(key);
    return v != null ? v : previous.get(key);
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
