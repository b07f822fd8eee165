package dev.palisade.dataplane.agent;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells about each bad object once: a malformed or unexpected object is skipped by the calculator
 * (never stalling the rules of others) and reported here, with a log line and, where the agent may
 * write them, a Warning Event on the object. A problem that goes away and comes back is told again;
 * its Event is new when the object is (a new uid, or a new generation: edited), else the one
 * written before stands (Events expire, after an hour by default) and the create is refused.
 */
final class ObjectProblems {
  private static final Logger LOG = LoggerFactory.getLogger(ObjectProblems.class);

  /**
   * One skipped object: kind, namespace (null for cluster-scoped), name, its uid and generation
   * (null when not known), what is wrong. With the uid and generation, an object deleted and made
   * again, or edited and still wrong, is a new problem: told again, even in the same words.
   */
  record Problem(String kind, String namespace, String name, String uid, Long generation, String message) {
    /** A problem read from a line of text, its object not at hand. */
    Problem(String kind, String namespace, String name, String message) {
      this(kind, namespace, name, null, null, message);
    }

    /** {@code message} about {@code o}, an object of {@code kind}. */
    static Problem of(String kind, HasMetadata o, String message) {
      var m = o.getMetadata();
      return m == null ? new Problem(kind, null, "?", message)
          : new Problem(kind, m.getNamespace(), m.getName(), message).on(o);
    }

    /** The same problem, of object {@code o} (its uid and generation); unchanged when {@code o} is null. */
    Problem on(HasMetadata o) {
      if (o == null || o.getMetadata() == null) {
        return this;
      }
      return new Problem(kind, namespace, name, o.getMetadata().getUid(), o.getMetadata().getGeneration(), message);
    }

    String where() {
      return where(kind, namespace, name);
    }

    /** "Kind namespace/name", or "Kind name" for a cluster-scoped object. */
    static String where(String kind, String namespace, String name) {
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
