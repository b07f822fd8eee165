package dev.palisade.controller.graph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The flow graph's vertices as numbers: each name (a workload key, an entity, an outside vertex)
 * gets the next int when first seen and keeps it while the table lives, so the graph's structure
 * is ints while names stay what the rest of the controller (review, export, persistence) speaks.
 * Also remembers which vertex an identity an agent reports stands for, once that can no longer
 * change, so a record is placed without building or hashing a name.
 *
 * <p>Not thread-safe: the flow graph calls it under its lock.
 */
final class VertexTable {
  /** What {@link #find} and {@link #ofIdentity} answer for a name or identity with no vertex. */
  static final int NONE = -1;

  private final List<String> names = new ArrayList<>();
  private final Map<String, Integer> byName = new HashMap<>();
  private final Map<Long, Integer> byIdentity = new HashMap<>();

  /** The vertex of a name, made when the name is new. */
  int intern(String name) {
    Integer v = byName.get(name);
    if (v != null) {
      return v;
    }
    int made = names.size();
    names.add(name);
    byName.put(name, made);
    return made;
  }

  /** The vertex of a name, or {@link #NONE}: a lookup never makes one. */
  int find(String name) {
    Integer v = byName.get(name);
    return v == null ? NONE : v;
  }

  String name(int vertex) {
    return names.get(vertex);
  }

  /**
   * Records that an identity stands for a vertex from now on: only for an identity whose name is
   * for good (a workload's identity is never given to another).
   */
  void bind(long identity, int vertex) {
    byIdentity.putIfAbsent(identity, vertex);
  }

  /** The vertex an identity was bound to, or {@link #NONE}. */
  int ofIdentity(long identity) {
    Integer v = byIdentity.get(identity);
    return v == null ? NONE : v;
  }

  int size() {
    return names.size();
  }
}
