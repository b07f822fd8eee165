package dev.palisade.controller.review;

import dev.palisade.controller.api.Principal;
import dev.palisade.model.crd.ReviewAudit;
import dev.palisade.model.crd.ReviewAuditSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only record of every review decision (approve, reject, mode change, snapshot), and of
 * the controller's repairs of objects someone else deleted or edited ({@value #TAMPER_REPAIR}). Each
 * decision is written as its own {@link ReviewAudit} object with {@code create}, never update: an
 * entry that already exists makes the write fail rather than overwrite history. A review that
 * changes many edges is one decision listing them, so approving everything costs one write (a few
 * for a very large graph, see {@link AuditParts}) on the controller's event thread, not one per
 * edge. Entries are read back at start, so the log outlives the controller process.
 *
 * <p>Not thread-safe: the controller calls it from its event thread only.
 */
public final class AuditLog {
  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
  /**
   * Edge text per object. Kubernetes refuses objects over ~1.5 MiB; a third of that leaves room
   * for metadata and escaping, and still holds about 5,000 edges of typical name length.
   */
  static final int EDGE_BYTES_PER_OBJECT = 512 * 1024;
  /** The action of an entry the controller writes itself when it writes back an object someone deleted or edited. */
  public static final String TAMPER_REPAIR = "tamper-repair";
  /**
   * A mode set through the API or seen on a SegmentationMode; "mode-failed" undoes one that could
   * not be written, and "mode-kept" says one was written after all, when its request was sent again.
   */
  public static final String MODE = "mode";
  static final String MODE_FAILED = "mode-failed";
  static final String MODE_KEPT = "mode-kept";
  /**
   * A snapshot taken through the API (audited before it is written); "snapshot-failed" says its
   * write failed, and "snapshot-kept" that it was written after all, when its request was sent again.
   */
  static final String SNAPSHOT = "snapshot";
  static final String SNAPSHOT_FAILED = "snapshot-failed";
  static final String SNAPSHOT_KEPT = "snapshot-kept";
  /**
   * Says that entry #{@code target} was stored although its caller was answered 5xx (its write's
   * fate was unknown then): it is not in effect and never replayed. The log stays append-only.
   */
  static final String VOID = "void";
  /** A palisade.dev/mode annotation seen changed on a Namespace or a root owner. */
  public static final String MODE_ANNOTATION = "mode-annotation";
  /** The role of entries the controller writes on its own, not on a caller's request. */
  public static final String CONTROLLER_ROLE = "controller";

  private final KubernetesClient client;
  private final int edgeBytesPerObject;
  private final List<ReviewAuditSpec> entries = new ArrayList<>();
  private final Map<String, ReviewAuditSpec> byRequest = new HashMap<>();
  private final java.util.Set<Long> incomplete = new java.util.HashSet<>();
  /** "ACTION TARGET" -> the newest entry's after, for the mode and snapshot actions ({@link #valueSetBy}). */
  private final Map<String, String> lastValue = new HashMap<>();
  private long seq;
  /**
   * The first part of an entry whose create failed in a way that did not say whether it was stored
   * (a timeout, a lost connection), and whose read-back failed too: its caller was answered 5xx,
   * so before the next entry takes a number this one is found out, and voided if it was stored.
   */
  private ReviewAudit uncertain;
  /** Writes one object (a test stands in a write that is stored but answered with an error). */
  private java.util.function.Consumer<ReviewAudit> create;
  /** Reads one entry object back by name: empty if absent; throws if the API server cannot say. */
  private java.util.function.Function<String, Optional<ReviewAudit>> read;

  public AuditLog(KubernetesClient client) {
    this(client, EDGE_BYTES_PER_OBJECT);
  }

  /** With a smaller budget, so a test can split a decision without building a huge graph. */
  AuditLog(KubernetesClient client, int edgeBytesPerObject) {
    this.client = client;
    this.edgeBytesPerObject = edgeBytesPerObject;
    this.create = cr -> client.resources(ReviewAudit.class).resource(cr).create();
    this.read = name -> Optional.ofNullable(client.resources(ReviewAudit.class).withName(name).get());
  }

  /** Tests: how objects are created and read back (faults the mock API server cannot make). */
  AuditLog writesWith(java.util.function.Consumer<ReviewAudit> create,
      java.util.function.Function<String, Optional<ReviewAudit>> read) {
    this.create = create;
    this.read = read;
    return this;
  }

  /** Loads the entries earlier controller runs wrote, joining decisions that were split. */
  public AuditLog restore() {
    Map<Long, List<ReviewAuditSpec>> bySeq = new TreeMap<>();
    for (ReviewAudit a : client.resources(ReviewAudit.class).list().getItems()) {
      if (a.getSpec() != null) {
        bySeq.computeIfAbsent(a.getSpec().seq, s -> new ArrayList<>()).add(a.getSpec());
        seq = Math.max(seq, a.getSpec().seq);
      }
    }
    bySeq.forEach((s, parts) -> {
      if (AuditParts.incomplete(parts)) {
        // kept with the edges that were written: its target still says how many the decision changed;
        // never answered 2xx and never in effect, so it is not replayed
        LOG.warn("audit decision #{} has {} of its {} parts; the controller stopped while writing it, so it was "
            + "not applied", s, parts.size(), parts.get(0).parts);
        incomplete.add(s);
      }
      remember(AuditParts.join(parts));
    });
    return this;
  }

  /** Records a decision about one target (a mode change, a snapshot); returns the entry as stored. */
  public ReviewAuditSpec append(Principal who, String action, String target, String before, String after) {
    return append(who, action, target, before, after, null);
  }

  /** As {@link #append(Principal, String, String, String, String)}, with the caller's request id (or null). */
  public ReviewAuditSpec append(Principal who, String action, String target, String before, String after,
      String requestId) {
    ReviewAuditSpec e = header(who, action);
    e.target = target;
    e.before = before;
    e.after = after;
    e.requestId = requestId;
    return write(e);
  }

  /**
   * Records a change the controller saw rather than made (a mode set with kubectl, an annotation
   * edited by GitOps): {@code who} is what the object's managedFields say of its writer.
   */
  public ReviewAuditSpec appendSeen(String who, String action, String target, String before, String after) {
    ReviewAuditSpec e = header(who, "observed", action);
    e.target = target;
    e.before = before;
    e.after = after;
    return write(e);
  }

  /**
   * What the log says a target is now: for {@link #MODE} or {@link #MODE_ANNOTATION}, the mode the
   * newest entry about it set (a decision, its -failed or -kept entry, or a change observed); for
   * {@link #SNAPSHOT}, its edge count, or empty when the newest entry says its write failed.
   */
  public Optional<String> lastValue(String action, String target) {
    return Optional.ofNullable(lastValue.get(action + " " + target));
  }

  /** The decision recorded under a caller's request id, if there is one. */
  public Optional<ReviewAuditSpec> byRequest(String requestId) {
    return requestId == null ? Optional.empty() : Optional.ofNullable(byRequest.get(requestId));
  }

  /**
   * Records that the controller ({@code who}, its ServiceAccount) wrote back {@code target} after
   * someone else changed it: {@code before} says how ("deleted", "spec edited by kubectl-edit").
   */
  public ReviewAuditSpec appendRepair(String who, String target, String before, String after) {
    ReviewAuditSpec e = header(who, CONTROLLER_ROLE, TAMPER_REPAIR);
    e.target = target;
    e.before = before;
    e.after = after;
    return write(e);
  }

  /**
   * Records one review decision over the edges it changed (each with its status before); the
   * target names the edge when there is one and counts them otherwise.
   */
  public ReviewAuditSpec appendEdges(Principal who, String action, List<ReviewAuditSpec.Edge> edges, String after,
      String requestId) {
    return appendEdges(who, action, edges, after, requestId, null);
  }

  /** As above, for a decision made on an AccessRequest (NS/NAME), which the entry names. */
  public ReviewAuditSpec appendEdges(Principal who, String action, List<ReviewAuditSpec.Edge> edges, String after,
      String requestId, String accessRequest) {
    ReviewAuditSpec e = header(who, action);
    e.accessRequest = accessRequest;
    e.requestId = requestId;
    e.target = edges.size() == 1 ? edges.get(0).edge : edges.size() + " edges";
    e.before = edges.stream().map(x -> x.before).distinct().count() == 1 ? edges.get(0).before : "(mixed)";
    e.after = after;
    e.edges = List.copyOf(edges);
    return write(e);
  }

  /**
   * Records what the controller decided on its own about edges, as an org guardrail routes them
   * ({@code who}: the controller; {@code target}: the deciding rule): one entry per rule and
   * verdict, however many edges it covers.
   */
  public ReviewAuditSpec appendRouted(String who, String action, String target, List<ReviewAuditSpec.Edge> edges,
      String after) {
    ReviewAuditSpec e = header(who, CONTROLLER_ROLE, action);
    e.target = target;
    e.before = edges.stream().map(x -> x.before).distinct().count() == 1 ? edges.get(0).before : "(mixed)";
    e.after = after;
    e.edges = List.copyOf(edges);
    return write(e);
  }

  /** Whether an entry was written whole (a decision cut off by a crash while its parts were written is not). */
  public boolean complete(ReviewAuditSpec e) {
    return !incomplete.contains(e.seq);
  }

  private ReviewAuditSpec header(Principal who, String action) {
    return header(who.name(), who.role().name().toLowerCase(Locale.ROOT), action);
  }

  private ReviewAuditSpec header(String who, String role, String action) {
    ReviewAuditSpec e = new ReviewAuditSpec();
    e.seq = seq + 1;
    e.time = Instant.now().toString();
    e.who = who;
    e.role = role;
    e.action = action;
    return e;
  }

  private ReviewAuditSpec write(ReviewAuditSpec e) {
    settleUncertain();
    e.seq = seq + 1; // a number found taken while settling moved it
    List<ReviewAuditSpec> parts = AuditParts.split(e, edgeBytesPerObject);
    for (ReviewAuditSpec p : parts) {
      // the first part takes the decision's plain name, so a number already used fails the write
      // as it did before decisions could be split; later parts are named after it
      String name = String.format(Locale.ROOT, "audit-%012d", e.seq)
          + (Objects.requireNonNullElse(p.part, 1) > 1 ? "-" + p.part : "");
      ReviewAudit cr = new ReviewAudit();
      cr.setMetadata(new ObjectMetaBuilder().withName(name).build());
      cr.setSpec(p);
      try {
        create.accept(cr);
      } catch (RuntimeException ex) {
        if (CreateRefusal.certain(ex) || !storedDespite(cr, ex)) {
          throw ex;
        }
      }
      // the number is taken once its first part exists, even if a later part fails
      seq = e.seq;
    }
    remember(e);
    return e;
  }

  /**
   * Whether {@code cr}, whose create failed with {@code failure}, was stored all the same (a create
   * that reached the API server but whose answer was lost). Read back: stored as written, it
   * counts as written; absent, it failed; another entry under its name, the number was taken by
   * another writer and the next entry takes the one after it. If the read-back fails too and this
   * is a decision's first part, it is settled before the next write ({@link #settleUncertain}).
   */
  private boolean storedDespite(ReviewAudit cr, RuntimeException failure) {
    Optional<ReviewAudit> back;
    try {
      back = read.apply(cr.getMetadata().getName());
    } catch (RuntimeException again) {
      failure.addSuppressed(again);
      if (Objects.requireNonNullElse(cr.getSpec().part, 1) == 1) {
        uncertain = cr;
      }
      return false;
    }
    if (back.isEmpty()) {
      return false;
    }
    if (sameEntry(back.get().getSpec(), cr.getSpec())) {
      LOG.warn("audit entry {} was stored although its write failed ({}); it stands", cr.getMetadata().getName(),
          failure.getMessage());
      return true;
    }
    seq = Math.max(seq, back.get().getSpec() == null ? cr.getSpec().seq : back.get().getSpec().seq);
    return false;
  }

  /**
   * Before a new entry takes a number: an entry whose write's fate was not known is looked up; if
   * it was stored, a {@value #VOID} entry after it says it is not in effect (its caller was told it
   * did not take effect, so a restart must not replay it). Until that is settled, no entry is
   * written (the caller gets 5xx).
   */
  private void settleUncertain() {
    if (uncertain == null) {
      return;
    }
    ReviewAudit pending = uncertain;
    ReviewAuditSpec was = pending.getSpec();
    String name = pending.getMetadata().getName();
    Optional<ReviewAudit> back = read.apply(name); // throws while the API server cannot say
    uncertain = null;
    if (back.isPresent() && sameEntry(back.get().getSpec(), was)) {
      seq = Math.max(seq, was.seq);
      incomplete.add(was.seq);
      LOG.warn("audit entry {} was stored although its caller was answered that it failed; voiding it", name);
      ReviewAuditSpec v = header(was.who, CONTROLLER_ROLE, VOID);
      v.target = "#" + was.seq;
      v.before = was.action + " " + was.target;
      v.after = "not in effect: its caller was answered that it failed";
      try {
        write(v);
      } catch (RuntimeException e) {
        incomplete.remove(was.seq); // not voided yet: the next write tries again
        uncertain = pending;
        throw e;
      }
    } else if (back.isPresent()) {
      seq = Math.max(seq, back.get().getSpec() == null ? was.seq : back.get().getSpec().seq);
    }
  }

  private static boolean sameEntry(ReviewAuditSpec a, ReviewAuditSpec b) {
    return a != null && b != null && a.seq == b.seq && Objects.equals(a.time, b.time) && Objects.equals(a.who, b.who)
        && Objects.equals(a.action, b.action) && Objects.equals(a.target, b.target)
        && Objects.equals(a.part, b.part) && Objects.equals(a.requestId, b.requestId);
  }

  private void remember(ReviewAuditSpec e) {
    if (VOID.equals(e.action) && e.target != null && e.target.startsWith("#")) {
      long voided = Long.parseLong(e.target.substring(1));
      incomplete.add(voided); // never replayed
      // a retry of its request is decided anew, not answered as already done
      byRequest.values().removeIf(x -> x.seq == voided);
    }
    entries.add(e);
    String value = valueSetBy(e.action);
    if (e.target != null && value != null) {
      lastValue.put(value + " " + e.target, e.after);
    }
    if (e.requestId != null) {
      byRequest.put(e.requestId, e);
    }
  }

  /** The value ({@link #lastValue}) an entry of this action sets: a decision's -failed and -kept entries set the decision's. */
  private static String valueSetBy(String action) {
    if (action == null) {
      return null;
    }
    return switch (action) {
      case MODE, MODE_FAILED, MODE_KEPT -> MODE;
      case MODE_ANNOTATION -> MODE_ANNOTATION;
      case SNAPSHOT, SNAPSHOT_FAILED, SNAPSHOT_KEPT -> SNAPSHOT;
      default -> null;
    };
  }

  /**
   * The review decisions that are in effect, oldest first: every approve, reject and unreview
   * entry written whole. The graph's statuses are what these say, the last one per edge winning;
   * the controller replays them at start, so a decision whose edges' save failed or was cut off
   * by a crash still holds.
   */
  public List<ReviewAuditSpec> reviewDecisions() {
    return entries.stream()
        .filter(e -> REVIEW_ACTIONS.contains(e.action) && e.edges != null && !incomplete.contains(e.seq))
        .toList();
  }

  /** The actions of entries that changed edge statuses. */
  public static final java.util.Set<String> REVIEW_ACTIONS = java.util.Set.of("approve", "reject", "unreview");

  /** Every decision, oldest first, with all its edges. */
  public List<ReviewAuditSpec> entries() {
    return List.copyOf(entries);
  }
}
