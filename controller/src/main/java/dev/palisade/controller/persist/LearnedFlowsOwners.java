package dev.palisade.controller.persist;

import dev.palisade.model.crd.LearnedFlows;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which source's edges each stored LearnedFlows object holds, by namespace and name: what the
 * restore listed, then what the writer wrote and deleted. The writer asks it before it writes a
 * name (never over another source's edges) and after (its source's objects under names it no
 * longer gives are deleted). It knows what this process read and wrote, which is all there is
 * while the controller alone writes LearnedFlows. An object without a source holds nothing the
 * restore can read, and is taken as no object.
 *
 * <p>Not thread-safe: the writer's thread.
 */
final class LearnedFlowsOwners {
  /** NS/NAME -> the source the object there holds. */
  private final Map<String, String> sourceByName = new HashMap<>();
  /** NS/SOURCE -> the names of its objects. */
  private final Map<String, Set<String>> namesBySource = new HashMap<>();

  /** {@code lf} is stored now (listed or written). */
  void stored(LearnedFlows lf) {
    String ns = lf.getMetadata().getNamespace();
    String name = lf.getMetadata().getName();
    deleted(ns, name);
    String source = lf.getSpec() == null ? null : lf.getSpec().source;
    if (source != null) {
      sourceByName.put(ns + "/" + name, source);
      namesBySource.computeIfAbsent(ns + "/" + source, k -> new TreeSet<>()).add(name);
    }
  }

  void deleted(String ns, String name) {
    String source = sourceByName.remove(ns + "/" + name);
    if (source != null) {
      Set<String> names = namesBySource.get(ns + "/" + source);
      names.remove(name);
      if (names.isEmpty()) {
        namesBySource.remove(ns + "/" + source);
      }
    }
  }

  /** The source whose edges the object {@code ns/name} holds; null when none. */
  String sourceOf(String ns, String name) {
    return sourceByName.get(ns + "/" + name);
  }

  /** Whether {@code source} may write {@code ns/name}: no object is there, or one of its own. */
  boolean mayWrite(String ns, String name, String source) {
    String holder = sourceOf(ns, name);
    return holder == null || holder.equals(source);
  }

  /** The names of {@code source}'s objects in {@code ns}; a copy. */
  Set<String> namesOf(String ns, String source) {
    return new TreeSet<>(namesBySource.getOrDefault(ns + "/" + source, Set.of()));
  }
}
