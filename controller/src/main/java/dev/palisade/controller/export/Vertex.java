package dev.palisade.controller.export;

import dev.palisade.model.Identities;

/**
 * A flow-graph vertex read back into its parts: a workload ({@code NS/KIND/NAME}) or an entity
 * ({@code world}, {@code host}, {@code unknown}), which has no namespace. Exporters need the parts
 * to label nodes and to build selectors.
 */
record Vertex(String key, String namespace, String kind, String name) {
  static final String WORLD = Identities.reservedName(Identities.WORLD);

  static Vertex of(String key) {
    String[] p = key.split("/", -1);
    if (p.length == 3) {
      return new Vertex(key, p[0], p[1], p[2]);
    }
    return new Vertex(key, null, "entity", key);
  }

  boolean isWorkload() {
    return namespace != null;
  }

  boolean isWorld() {
    return WORLD.equals(key);
  }
}
