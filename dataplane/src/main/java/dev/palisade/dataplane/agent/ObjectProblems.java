package dev.palisade.dataplane.agent;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells about each bad object once: a malformed or unexpected object is skipped by the calculator
 * (never stalling the rules of others) and reported here, with a log line and, where the agent may
 * write them, a Warning Event on the object. A problem that goes away and comes back is told again.
 */
final class ObjectProblems {
  private static final Logger LOG = LoggerFactory.getLogger(ObjectProblems.class);

  /** One skipped object: kind, namespace (null for cluster-scoped), name, what is wrong. */
  record Problem(String kind, String namespace, String name, String message) {
    String where() {
      return kind + " " + (namespace == null ? "" : namespace + "/") + name;
    }
  }

  /** Where problems go beyond the log (a Warning Event on the object). */
  interface Sink {
    Sink NONE = p -> { };

    void warn(Problem p);
  }

  private final String nodeName;
  private final Sink sink;
  private Set<Problem> told = Set.of();
  private long reported;

  ObjectProblems(String nodeName, Sink sink) {
    this.nodeName = nodeName;
    this.sink = sink;
  }

  /** The problems of the latest sync: new ones are told, vanished ones forgotten. */
  synchronized void latest(List<Problem> problems) {
    Set<Problem> now = new HashSet<>(problems);
    for (Problem p : problems) {
      if (!told.contains(p)) {
        reported++;
        LOG.error("{}: {} skipped: {}", nodeName, p.where(), p.message());
        try {
          sink.warn(p);
        } catch (RuntimeException e) {
          LOG.warn("{}: could not record a Warning Event on {}: {}", nodeName, p.where(), e.getMessage());
        }
      }
    }
    told = now;
  }

  /** Distinct problems told so far. */
  synchronized long reported() {
    return reported;
  }

  synchronized Set<Problem> current() {
    return Set.copyOf(told);
  }
}
