package dev.palisade.controller.graph;

import java.util.Arrays;
import java.util.List;

/**
 * An edge's example pods: at most {@link FlowEdge#MAX_PODS} distinct names in the order first
 * seen. An array scanned linearly, not a LinkedHashSet: every flow record of an edge offers its
 * pods again, and at 100k edges the set's table and nodes were a cache miss each (a fifth of
 * ingest, bench/RESULTS.md); the same pod's name is usually the same String, found by identity.
 * Mutated only under the graph's lock.
 *
 * <p>A name longer than any pod's ({@value #MAX_NAME} characters: NS/NAME, a namespace is a DNS
 * label of at most 63, a pod name a DNS subdomain of at most 253) is not kept: vetting lets
 * through names of pods the controller does not know (gone, or not yet seen), so without this one
 * report could make an edge, and the LearnedFlows object it is saved in, as big as it likes.
 */
final class PodNames {
  static final int MAX_NAME = 63 + 1 + 253;
  private static final String[] NONE = new String[0];
  private String[] names = NONE;

  void addAll(Iterable<String> from) {
    for (String s : from) {
      if (names.length >= FlowEdge.MAX_PODS) {
        return;
      }
      if (s.length() <= MAX_NAME && !contains(s)) {
        names = Arrays.copyOf(names, names.length + 1);
        names[names.length - 1] = s;
      }
    }
  }

  private boolean contains(String s) {
    for (String n : names) {
      if (n == s) {
        return true;
      }
    }
    for (String n : names) {
      if (n.equals(s)) {
        return true;
      }
    }
    return false;
  }

  List<String> list() {
    return List.of(names);
  }
}
