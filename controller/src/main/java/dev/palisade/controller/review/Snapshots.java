package dev.palisade.controller.review;

import dev.palisade.model.crd.GraphSnapshot;
import dev.palisade.model.crd.GraphSnapshotSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Named, kept copies of the graph's edges ({@link GraphSnapshot} objects), the "since" side of
 * "what changed since". Names are Kubernetes object names chosen by the reviewer. Event thread
 * only, but for {@link #write}: a snapshot's object is written off the loop, its name reserved
 * meanwhile ({@link SnapshotDecisions}).
 */
public final class Snapshots {
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private final KubernetesClient client;
  private final Map<String, GraphSnapshotSpec> byName = new LinkedHashMap<>();
  private java.util.function.Consumer<GraphSnapshot> create;
  private java.util.function.Function<String, GraphSnapshot> read;

  public Snapshots(KubernetesClient client) {
    this.client = client;
    this.create = cr -> client.resources(GraphSnapshot.class).resource(cr).create();
    this.read = name -> client.resources(GraphSnapshot.class).withName(name).get();
  }

  public Snapshots restore() {
    client.resources(GraphSnapshot.class).list().getItems().stream()
        .filter(s -> s.getSpec() != null)
        .sorted(java.util.Comparator.comparing((GraphSnapshot s) -> String.valueOf(s.getSpec().taken)))
        .forEach(s -> {
          byName.put(s.getMetadata().getName(), s.getSpec());
          decisions.put(s.getMetadata().getName(), decisionOf(s));
        });
    return this;
  }

  /** Refuses a bad or taken name with the reason, so nothing kept is overwritten. */
  public static void checkName(String name, Map<String, ?> existing) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("snapshot name '" + name + "' must be lower-case letters, digits and '-', "
          + "1 to 63 characters, starting and ending with a letter or digit");
    }
    if (existing.containsKey(name)) {
      throw new IllegalArgumentException("snapshot '" + name + "' exists already; snapshots are kept, pick a new name");
    }
  }

  /**
   * The annotation on a snapshot object naming the audit entry of the decision that took it: a
   * write whose answer was lost (a timeout, a dropped connection) is told apart from a namesake
   * by reading it back.
   */
  public static final String DECISION_ANNOTATION = "palisade.dev/decision";

  /** How one snapshot's write ended ({@link #write}, off the loop). */
  public sealed interface Written {
    /** The object is stored, by this decision (created, or found after a lost answer). */
    record Kept(GraphSnapshotSpec spec) implements Written {}

    /**
     * An object of that name was there before: taken by decision #{@code decision} (0 when it has
     * no such annotation: written by someone else).
     */
    record Taken(GraphSnapshotSpec spec, long decision) implements Written {}

    /** Not stored, or not known to be: {@code failure} says why. */
    record Failed(RuntimeException failure, boolean maybeStored) implements Written {}
  }

  /** Names whose decision is audited and whose object is being written, with the decision's entry. */
  private final Map<String, Long> pending = new java.util.HashMap<>();
  /** Name -> the decision its object names (0: none, e.g. written before objects were annotated, or by hand). */
  private final Map<String, Long> decisions = new java.util.HashMap<>();

  /** Refuses a bad, taken or pending name with the reason (loop thread). */
  public void checkFree(String name) {
    checkName(name, byName);
    Long decision = pending.get(name);
    if (decision != null) {
      throw new IllegalArgumentException("snapshot '" + name + "' is being taken by decision #" + decision
          + "; pick a new name, or send that decision's request again once it is answered");
    }
  }

  /** Whether a snapshot of this name is being written now (loop thread). */
  public boolean isPending(String name) {
    return pending.containsKey(name);
  }

  /** The name is decision #{@code decision}'s until {@link #kept} or {@link #abandon} (loop thread). */
  public void reserve(String name, long decision) {
    pending.put(name, decision);
  }

  /**
   * The write ended with the object stored, or one found there: listed from now on (loop thread).
   *
   * @param decision the audit entry its object names, 0 if none
   */
  public void kept(String name, GraphSnapshotSpec spec, long decision) {
    pending.remove(name);
    byName.put(name, spec);
    decisions.put(name, decision);
  }

  /** The audit entry of the decision that took the snapshot, as its object names it; 0 if it names none. */
  public long decisionOf(String name) {
    return decisions.getOrDefault(name, 0L);
  }

  /** The write failed: the name is free again (loop thread). */
  public void abandon(String name) {
    pending.remove(name);
  }

  /**
   * Writes decision #{@code decision}'s snapshot; any thread (the client is thread-safe, and no
   * state of this class is touched). When the create's answer is an error that does not say the
   * object was not stored, the object is read back: the decision's own is kept.
   */
  public Written write(String name, String who, List<GraphSnapshotSpec.Edge> edges, long decision) {
    GraphSnapshotSpec spec = new GraphSnapshotSpec();
    spec.taken = Instant.now().toString();
    spec.takenBy = who;
    spec.edges = new ArrayList<>(edges);
    GraphSnapshot cr = new GraphSnapshot();
    cr.setMetadata(new ObjectMetaBuilder().withName(name)
        .withAnnotations(Map.of(DECISION_ANNOTATION, Long.toString(decision))).build());
    cr.setSpec(spec);
    try {
      create.accept(cr);
      return new Written.Kept(spec);
    } catch (RuntimeException e) {
      // refused (400, 403, 422): nothing stored; anything else may have been, and is read back
      return CreateRefusal.certain(e) ? new Written.Failed(e, false) : readBack(name, decision, e);
    }
  }

  private Written readBack(String name, long decision, RuntimeException createFailure) {
    GraphSnapshot there;
    try {
      there = read.apply(name);
    } catch (RuntimeException again) {
      createFailure.addSuppressed(again);
      return new Written.Failed(createFailure, true);
    }
    if (there == null || there.getSpec() == null) {
      return new Written.Failed(createFailure, false);
    }
    long by = decisionOf(there);
    return by == decision ? new Written.Kept(there.getSpec()) : new Written.Taken(there.getSpec(), by);
  }

  /** The decision an object names, 0 if none. */
  static long decisionOf(GraphSnapshot s) {
    String v = s.getMetadata().getAnnotations() == null ? null
        : s.getMetadata().getAnnotations().get(DECISION_ANNOTATION);
    try {
      return v == null ? 0 : Long.parseLong(v);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Tests: how objects are created and read back (faults the mock API server cannot make). */
  Snapshots writesWith(java.util.function.Consumer<GraphSnapshot> create,
      java.util.function.Function<String, GraphSnapshot> read) {
    this.create = create;
    this.read = read;
    return this;
  }

  /** The edges a kept snapshot holds (never changed once kept), empty if there is none of that name. */
  public Optional<List<GraphSnapshotSpec.Edge>> edgesOf(String name) {
    return get(name).map(s -> s.edges == null ? List.<GraphSnapshotSpec.Edge>of() : s.edges);
  }

  public Optional<GraphSnapshotSpec> get(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** Names and times, oldest first. */
  public Map<String, GraphSnapshotSpec> all() {
    return java.util.Collections.unmodifiableMap(byName);
  }

  /** What the list of snapshots shows of one: a value, so the list's JSON is written off the loop. */
  public record Listed(String name, String taken, String takenBy, int edges) {}

  /** Every snapshot as listed, oldest first: a copy, a few values per snapshot, never its edges. */
  public List<Listed> listed() {
    List<Listed> out = new ArrayList<>(byName.size());
    byName.forEach((name, s) -> out.add(new Listed(name, s.taken, s.takenBy, s.edges == null ? 0 : s.edges.size())));
    return out;
  }
}
