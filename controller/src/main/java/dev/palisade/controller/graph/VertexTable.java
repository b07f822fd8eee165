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
  /**
   * Identity to vertex + 1 (0: none), open addressing: looked up twice per flow record, so without
   * boxing a long or an int.
   */
  private long[] identities = new long[64];
  private int[] boundTo = new int[64];
  private int bound;

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
    int slot = slot(identity);
    if (boundTo[slot] != 0) {
      return;
    }
    identities[slot] = identity;
    boundTo[slot] = vertex + 1;
    if (++bound * 2 > identities.length) {
      grow();
    }
  }

  /** The vertex an identity was bound to, or {@link #NONE}. */
  int ofIdentity(long identity) {
    return boundTo[slot(identity)] - 1;
  }

  /** The identity's slot, or the empty one where it would go. */
  private int slot(long identity) {
    int mask = identities.length - 1;
    long h = identity * 0x9E3779B97F4A7C15L; // identities are dense: spread them over the table
    int i = (int) (h ^ (h >>> 32)) & mask;
    while (boundTo[i] != 0 && identities[i] != identity) {
      i = (i + 1) & mask;
    }
    return i;
  }

  private void grow() {
    long[] oldIds = identities;
    int[] oldTo = boundTo;
    identities = new long[oldIds.length * 2];
    boundTo = new int[oldIds.length * 2];
    for (int i = 0; i < oldIds.length; i++) {
      if (oldTo[i] != 0) {
        int slot = slot(oldIds[i]);
        identities[slot] = oldIds[i];
        boundTo[slot] = oldTo[i];
      }
    }
  }

  int size() {
    return names.size();
  }
}
