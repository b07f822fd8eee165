package dev.palisade.controller.persist;

import dev.palisade.model.crd.LearnedFlows;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whose edges each stored LearnedFlows object holds ({@link LearnedFlowsHolder}), by namespace and
 * name: what the restore listed, then what the writer wrote and deleted. The writer asks it before
 * it writes a name (never over another holder's edges) and after (its holder's objects under names
 * it no longer gives are deleted). It knows what this process read and wrote, which is all there
 * is while the controller alone writes LearnedFlows. An object that names no holder holds nothing
 * the restore can read, and is taken as no object.
 *
 * <p>Not thread-safe: the writer's thread.
 */
final class LearnedFlowsOwners {
  /** NS/NAME -> the holder ({@link LearnedFlowsHolder#text}) whose edges the object there holds. */
  private final Map<String, String> holderByName = new HashMap<>();
  /** NS/HOLDER -> the names of its objects. */
  private final Map<String, Set<String>> namesByHolder = new HashMap<>();

  /** {@code lf} is stored now (listed or written). */
  void stored(LearnedFlows lf) {
    String ns = lf.getMetadata().getNamespace();
    String name = lf.getMetadata().getName();
    deleted(ns, name);
    LearnedFlowsHolder h = LearnedFlowsHolder.of(lf);
    if (h == null) {
      return;
    }
    holderByName.put(ns + "/" + name, h.text());
    namesByHolder.computeIfAbsent(ns + "/" + h.text(), k -> new TreeSet<>()).add(name);
  }

  void deleted(String ns, String name) {
    String holder = holderByName.remove(ns + "/" + name);
    if (holder != null) {
      Set<String> names = namesByHolder.get(ns + "/" + holder);
      names.remove(name);
      if (names.isEmpty()) {
        namesByHolder.remove(ns + "/" + holder);
      }
    }
  }

  /** The holder whose edges the object {@code ns/name} holds; null when none. */
  String holderOf(String ns, String name) {
    return holderByName.get(ns + "/" + name);
  }

  /** Whether {@code h} may write {@code ns/name}: no object is known there, or one of its own. */
  boolean mayWrite(String ns, String name, LearnedFlowsHolder h) {
    String holder = holderByName.get(ns + "/" + name);
    return holder == null || holder.equals(h.text());
  }

  /** The names of {@code h}'s objects; a copy. */
  Set<String> namesOf(LearnedFlowsHolder h) {
    return new TreeSet<>(namesByHolder.getOrDefault(h.namespace() + "/" + h.text(), Set.of()));
  }
}
