package dev.palisade.controller.persist;

import dev.palisade.model.crd.LearnedFlows;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whose edges each stored LearnedFlows object holds ({@link LearnedFlowsHolder}), by namespace and
 * name, as far as this process knows: what the restore listed, what the writer wrote and deleted,
 * and what a write found there that was not its holder's. The writer asks it before it names a
 * part (never a name another's object holds) and after it wrote a holder's parts (its objects
 * under names it no longer gives are deleted). An object made since the restore under a name it
 * does not know is found by the write itself ({@link LearnedFlowsWriter.Store#write}), then known
 * here as {@link #foreign}; so is one that names no holder (no source: not the controller's).
 *
 * <p>Not thread-safe: the writer's thread.
 */
final class LearnedFlowsOwners {
  /** The holder of an object that names none, or that a write found there not of its holder. */
  private static final String FOREIGN = "";

  /** NS/NAME -> the holder ({@link LearnedFlowsHolder#text}) whose edges the object there holds. */
  private final Map<String, String> holderByName = new HashMap<>();
  /** NS/HOLDER -> the names of its objects. */
  private final Map<String, Set<String>> namesByHolder = new HashMap<>();

  /** {@code lf} is stored now (listed or written); one that names no holder is someone else's. */
  void stored(LearnedFlows lf) {
    String ns = lf.getMetadata().getNamespace();
    String name = lf.getMetadata().getName();
    LearnedFlowsHolder h = LearnedFlowsHolder.of(lf);
    if (h == null) {
      foreign(ns, name);
      return;
    }
    deleted(ns, name);
    holderByName.put(ns + "/" + name, h.text());
    namesByHolder.computeIfAbsent(ns + "/" + h.text(), k -> new TreeSet<>()).add(name);
  }

  /**
   * The object {@code ns/name} is someone else's, not to be written over or deleted: it names no
   * holder, or a write found it there not of the holder it was for. Not even the holder it names
   * takes it for its own: its edges may be none the graph has.
   */
  void foreign(String ns, String name) {
    deleted(ns, name);
    holderByName.put(ns + "/" + name, FOREIGN);
  }

  void deleted(String ns, String name) {
    String holder = holderByName.remove(ns + "/" + name);
    if (holder != null && !holder.equals(FOREIGN)) {
      Set<String> names = namesByHolder.get(ns + "/" + holder);
      names.remove(name);
      if (names.isEmpty()) {
        namesByHolder.remove(ns + "/" + holder);
      }
    }
  }

  /** Who holds the object {@code ns/name}, as a log line says it; null when no object is known there. */
  String holderOf(String ns, String name) {
    String holder = holderByName.get(ns + "/" + name);
    return FOREIGN.equals(holder) ? "someone else (no source of ours, or made since the restore)" : holder;
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
