package dev.palisade.controller.review;

import dev.palisade.controller.api.ApiException;
import dev.palisade.controller.api.ApiRequest;
import dev.palisade.controller.api.ApiResponse;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.Router;
import dev.palisade.controller.api.ViewerReads;
import dev.palisade.controller.export.DotExporter;
import dev.palisade.controller.export.GraphMlExporter;
import dev.palisade.controller.export.NetworkPolicyExporter;
import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.model.Mode;
import dev.palisade.model.crd.ReviewAuditSpec;
import dev.palisade.model.crd.SegmentationMode;
import dev.palisade.model.crd.SegmentationModeSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import tools.jackson.databind.json.JsonMapper;

/**
 * The review API beyond approve/reject: who am I, modes, snapshots and "what changed since"
 * ({@link SnapshotEndpoints}, registered here), exports (NetworkPolicy YAML, DOT, GraphML) and the
 * audit log. Everything that reads or changes controller state runs on the controller's event
 * thread through {@link Backend#onLoop}; a viewer's read takes only a copy there and makes its
 * answer from it on its own thread ({@link ViewerReads}), so a big answer never holds up the
 * agents' flow reports (issue 17).
 *
 * <pre>
 *  GET  /v1/whoami                      viewer    {name, role}
 *  GET  /v1/modes                       viewer    namespace and workload settings, and the default
 *  POST /v1/mode                        approver  {@link ModeRequest}: {namespace, workload?: KIND/NAME, mode}; 404 if
 *                                                 the namespace or workload does not exist
 *  GET  /v1/snapshots, POST /v1/snapshots, GET /v1/diff?since=NAME     {@link SnapshotEndpoints}
 *  GET  /v1/export/networkpolicy?namespace=NS[&status=approved,learned]   viewer   YAML
 *  GET  /v1/export/dot | /v1/export/graphml                                 viewer
 *  GET  /v1/audit                       viewer    every decision, oldest first (JSON); a review lists its edges
 * </pre>
 */
public final class ReviewEndpoints {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** What the endpoints need from the controller. */
  public interface Backend {
    /** Runs on the controller's event thread and waits for the result. */
    <T> T onLoop(Callable<T> c);

    FlowGraph graph();

    /** The stable labels of a workload vertex (NS/KIND/NAME), empty if unknown. */
    Map<String, String> labelsOf(String vertex);

    List<SegmentationMode> modes();

    Mode defaultMode();

    KubernetesClient client();

    /** Whether the namespace exists (on the event thread). */
    boolean namespaceExists(String namespace);

    /** Whether a workload of a {@link ModeRequest#KINDS kind} exists: a root owner, or a bare pod (event thread). */
    boolean workloadExists(String namespace, String kind, String name);

    /** How a NetworkPolicy export finds the current addresses of DNS names (the process's resolver). */
    default dev.palisade.controller.export.NameAddresses.Lookup nameLookup() {
      return dev.palisade.controller.export.NameAddresses.SYSTEM;
    }
  }

  private final Backend backend;
  private final AuditLog audit;
  private final Snapshots snapshots;
  private ViewerReads reads;

  public ReviewEndpoints(Backend backend, AuditLog audit, Snapshots snapshots) {
    this.backend = backend;
    this.audit = audit;
    this.snapshots = snapshots;
    this.reads = new ViewerReads(backend::onLoop);
  }

  /** Tests: how viewers' answers are written, to see on which thread (never the loop's). */
  ReviewEndpoints writesAnswersWith(ViewerReads.AnswerWriter writer) {
    this.reads = new ViewerReads(backend::onLoop, writer);
    return this;
  }

  public Router addTo(Router router) {
    router
        .add("GET", "/v1/whoami", Role.VIEWER, r -> ApiResponse.json(200, "{\"name\":" + quote(r.caller().name())
            + ",\"role\":" + quote(r.caller().role().name().toLowerCase(Locale.ROOT)) + "}"))
        .add("GET", "/v1/modes", Role.VIEWER, r -> ApiResponse.json(200, reads.answer("/v1/modes",
            () -> ModeSettings.of(backend.defaultMode(), backend.modes()), ModeSettings::json)))
        .add("POST", "/v1/mode", Role.APPROVER, this::setMode);
    new SnapshotEndpoints(backend, audit, snapshots, reads).addTo(router);
    return router
        .add("GET", "/v1/export/networkpolicy", Role.VIEWER, this::exportPolicy)
        // the graph's copy holds immutable edge views; sorting and writing it are the viewer's work
        .add("GET", "/v1/export/dot", Role.VIEWER,
            r -> ApiResponse.text(200, "text/vnd.graphviz; charset=utf-8",
                reads.answer("/v1/export/dot", () -> backend.graph().copy(), g -> new DotExporter().export(g))))
        .add("GET", "/v1/export/graphml", Role.VIEWER,
            r -> ApiResponse.text(200, "application/graphml+xml; charset=utf-8",
                reads.answer("/v1/export/graphml", () -> backend.graph().copy(), g -> new GraphMlExporter().export(g))))
        .add("GET", "/v1/audit", Role.VIEWER,
            r -> ApiResponse.json(200, reads.answer("/v1/audit", audit::entries, JSON::writeValueAsString)));
  }

  // ---- modes ----

  private ApiResponse setMode(ApiRequest r) {
    ModeRequest req = ModeRequest.read(r.body());
    String workload = req.forWorkload() ? req.workload() : "";
    String result = backend.onLoop(() -> {
      if (!r.caller().mayDecideIn(req.namespace())) {
        throw new ApiException(403, "namespace: " + r.caller().name() + " approves in "
            + String.join(", ", new java.util.TreeSet<>(r.caller().namespaces())) + " only, not '" + req.namespace()
            + "'");
      }
      // A mode for something that does not exist would sit unused until a namesake appears.
      if (!backend.namespaceExists(req.namespace())) {
        throw ApiException.notFound("namespace: no namespace '" + req.namespace() + "'");
      }
      if (req.forWorkload() && !backend.workloadExists(req.namespace(), req.kind(), req.name())) {
        throw ApiException.notFound("workload: no " + req.kind() + " '" + req.name() + "' in namespace '"
            + req.namespace() + "'");
      }
      Optional<SegmentationMode> existing = backend.modes().stream()
          .filter(m -> req.namespace().equals(m.getMetadata().getNamespace()) && m.getSpec() != null
              && workload.equals(m.getSpec().workload == null ? "" : m.getSpec().workload))
          .findFirst();
      String before = existing.map(m -> m.getSpec().mode).orElse(ModeAudit.INHERITED);
      // the object that already sets this target is the one changed (whatever wrote it, whatever its
      // name); a new one takes the target's name, never an object that sets something else
      String objectName = existing.map(m -> m.getMetadata().getName()).orElse(req.objectName());
      backend.modes().stream()
          .filter(m -> req.namespace().equals(m.getMetadata().getNamespace())
              && objectName.equals(m.getMetadata().getName()) && existing.map(x -> x != m).orElse(true))
          .findFirst().ifPresent(other -> {
            throw new ApiException(409, "workload: SegmentationMode " + req.namespace() + "/" + objectName
                + " already sets " + (other.getSpec() == null || other.getSpec().workload == null
                ? "the namespace" : other.getSpec().workload) + "; rename it to set " + req.target());
          });
      Optional<ReviewAuditSpec> earlier = audit.byRequest(req.id());
      if (earlier.isPresent()) {
        ReviewAuditSpec e = earlier.get();
        if (!"mode".equals(e.action) || !req.target().equals(e.target) || !req.mode().text().equals(e.after)) {
          throw RequestId.usedBy(req.id(), e);
        }
        // audited, then the process stopped before the object was written (no answer was sent):
        // the request sent again completes it, unless a later decision about the target replaced it
        boolean inForce = existing.map(m -> req.mode().text().equals(m.getSpec().mode)).orElse(false);
        boolean replaced = audit.entries().stream().anyMatch(x -> AuditLog.MODE.equals(x.action)
            && req.target().equals(x.target) && x.requestId != null && x.seq > e.seq);
        if (!replaced) {
          keepMode(r.caller(), req, objectName, before, e.seq, inForce);
        }
        return modeAnswer(req, e.seq) + ",\"repeated\":true}";
      }
      // the audit entry first: a mode change that is in force is always in the log
      ReviewAuditSpec e;
      try {
        e = audit.append(r.caller(), AuditLog.MODE, req.target(), before, req.mode().text(), req.id());
      } catch (RuntimeException ex) {
        throw new ApiException(503, "the audit log could not be written (" + ex.getMessage()
            + "); the mode was not changed, send the request again");
      }
      try {
        writeMode(req, objectName);
      } catch (RuntimeException ex) {
        auditNotInForce(r.caller(), req, before, ex);
        throw new ApiException(503, "the mode could not be written (" + ex.getMessage() + "); decision #" + e.seq
            + " did not take effect, send the request again");
      }
      return modeAnswer(req, e.seq) + "}";
    });
    return ApiResponse.json(200, result);
  }

  /**
   * Completes mode decision #{@code seq}, its request sent again: the mode is written unless it is
   * in force, and when the log says the decision did not take effect (mode-failed), a mode-kept
   * entry says it does now, written first as a decision's entry is, so a reader of the log sees
   * the decision's final state. That entry has no request id: the decision is #{@code seq}'s,
   * counted once.
   */
  private void keepMode(Principal who, ModeRequest req, String objectName, String before, long seq,
      boolean inForce) {
    String mode = req.mode().text();
    if (!mode.equals(audit.lastValue(AuditLog.MODE, req.target()).orElse(ModeAudit.INHERITED))) {
      try {
        audit.append(who, AuditLog.MODE_KEPT, req.target(), before, mode);
      } catch (RuntimeException ex) {
        throw new ApiException(503, "decision #" + seq + " is audited but the audit log could not be written ("
            + ex.getMessage() + "); the mode was not changed, send the request again");
      }
    }
    if (inForce) {
      return;
    }
    try {
      writeMode(req, objectName);
    } catch (RuntimeException ex) {
      auditNotInForce(who, req, before, ex);
      throw new ApiException(503, "decision #" + seq + " is audited but the mode could not be written ("
          + ex.getMessage() + "); send the request again");
    }
  }

  /** The log says the mode is in force but its write failed: a mode-failed entry says it never took effect. */
  private void auditNotInForce(Principal who, ModeRequest req, String before, RuntimeException failure) {
    try {
      audit.append(who, AuditLog.MODE_FAILED, req.target(), req.mode().text(), before);
    } catch (RuntimeException again) {
      failure.addSuppressed(again);
    }
  }

  /** Writes the SegmentationMode {@code objectName} that sets {@code req}'s target to its mode. */
  private void writeMode(ModeRequest req, String objectName) {
    SegmentationMode m = new SegmentationMode();
    m.setMetadata(new ObjectMetaBuilder().withNamespace(req.namespace()).withName(objectName).build());
    m.setSpec(new SegmentationModeSpec());
    m.getSpec().mode = req.mode().text();
    m.getSpec().workload = req.workload();
    backend.client().resources(SegmentationMode.class).inNamespace(req.namespace()).resource(m)
        .createOr(NonDeletingOperation::update);
  }

  private static String modeAnswer(ModeRequest req, long audit) {
    return "{\"target\":" + quote(req.target()) + ",\"mode\":" + quote(req.mode().text()) + ",\"audit\":" + audit;
  }

  // ---- exports and audit ----

  private ApiResponse exportPolicy(ApiRequest r) {
    String ns = r.param("namespace");
    if (ns == null || !ModeRequest.DNS_LABEL.matcher(ns).matches()) {
      throw ApiException.badRequest("namespace=NS is required and must be a valid namespace name, not '" + ns + "'");
    }
    Set<EdgeStatus> statuses = EnumSet.noneOf(EdgeStatus.class);
    for (String s : (r.param("status") == null ? "approved" : r.param("status")).split(",")) {
      try {
        EdgeStatus st = EdgeStatus.valueOf(s.strip().toUpperCase(Locale.ROOT));
        if (st == EdgeStatus.REJECTED) {
          throw new IllegalArgumentException();
        }
        statuses.add(st);
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("status must be approved and/or learned, not '" + s + "'");
      }
    }
    // edges and labels are copied in one step on the loop, so the export is of one moment; the
    // edges are sorted off it
    String yaml = reads.answer("/v1/export/networkpolicy", () -> {
      List<EdgeView> edges = backend.graph().edgeViews();
      return new PolicyInput(edges, NetworkPolicyExporter.labelsAt(edges, backend::labelsOf));
    }, copy -> {
      PolicyInput in = new PolicyInput(copy.edges().stream().sorted(FlowGraph.KEY_ORDER).toList(), copy.labels());
      // names have no place in NetworkPolicy: their current addresses are looked up here, off the
      // controller's loop (a slow resolver must not hold it), and written beside the name
      Map<String, List<String>> addresses = dev.palisade.controller.export.NameAddresses.resolve(
          NetworkPolicyExporter.namesIn(in.edges(), ns, statuses), backend.nameLookup(),
          java.time.Duration.ofSeconds(2));
      return new NetworkPolicyExporter(in.labels()::get, addresses).yaml(in.edges(), ns, statuses);
    });
    return ApiResponse.text(200, "application/yaml; charset=utf-8", yaml);
  }

  /** What a NetworkPolicy export reads of the controller: every edge, and the labels of the workloads at their ends. */
  private record PolicyInput(List<EdgeView> edges, Map<String, Map<String, String>> labels) {}

  private static String quote(String s) {
    return dev.palisade.controller.api.JsonText.quote(s);
  }
}
