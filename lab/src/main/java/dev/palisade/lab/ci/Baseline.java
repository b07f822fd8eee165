package dev.palisade.lab.ci;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the app's repository already decided: approved and rejected edges, each with the file that
 * says so (the report points reviewers there). Values only; {@link BaselineReader} builds it.
 */
public record Baseline(Map<CiEdge, String> approved, Map<CiEdge, String> rejected) {
  public static final Baseline EMPTY = new Baseline(Map.of(), Map.of());

  public Baseline {
    approved = Collections.unmodifiableMap(new TreeMap<>(approved));
    rejected = Collections.unmodifiableMap(new TreeMap<>(rejected));
  }
}
