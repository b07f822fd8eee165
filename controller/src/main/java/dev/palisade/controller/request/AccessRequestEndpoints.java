package dev.palisade.controller.request;

import dev.palisade.controller.api.ApiResponse;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.Router;
import dev.palisade.controller.api.ViewerReads;
import dev.palisade.model.crd.AccessRequest;
import dev.palisade.model.crd.AccessRequestStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.concurrent.Callable;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The request queue over HTTP, for the review page:
 *
 * <pre>
 *  GET  /v1/requests          viewer    [{namespace, name, source, destination, port, protocol, reason, created,
 *                                         phase, message, edge, edgeStatus, decidedBy, decidedAt, audit}]
 *  POST /v1/requests/decide   approver  {@link RequestDecision} -> {changed, audit, revision, phase}
 * </pre>
 *
 * The queue's entries are copied on the controller's loop; they are ordered and written as JSON
 * off it ({@link ViewerReads}), so a long queue does not hold up the agents' flow reports.
 */
public final class AccessRequestEndpoints {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** The controller's queue deciding on its loop (the call waits for it). */
  @FunctionalInterface
  public interface Decider {
    AccessRequestQueue.Decided decide(Principal who, RequestDecision decision);
  }

  private final ViewerReads reads;
  private final Callable<List<AccessRequestQueue.Entry>> entries;
  private final Decider decider;

  /** @param entries copies the queue's entries; {@code reads} runs it on the controller's loop */
  public AccessRequestEndpoints(ViewerReads reads, Callable<List<AccessRequestQueue.Entry>> entries,
      Decider decider) {
    this.reads = reads;
    this.entries = entries;
    this.decider = decider;
  }

  public Router addTo(Router router) {
    return router
        .add("GET", "/v1/requests", Role.VIEWER, r -> ApiResponse.json(200, reads.answer("/v1/requests",
            entries, copied -> queueJson(AccessRequestQueue.listed(copied)))))
        .add("POST", "/v1/requests/decide", Role.APPROVER,
            r -> ApiResponse.json(200, decider.decide(r.caller(), RequestDecision.read(r.body())).json()));
  }

  /** The queue's answer, its entries in the order given; pure. */
  static String queueJson(List<AccessRequestQueue.Entry> entries) {
    ArrayNode a = JSON.createArrayNode();
    for (AccessRequestQueue.Entry e : entries) {
      ObjectNode o = a.addObject();
      AccessRequest r = e.request();
      o.put("namespace", r.getMetadata().getNamespace());
      o.put("name", r.getMetadata().getName());
      if (r.getSpec() != null) {
        o.put("source", r.getSpec().source);
        o.put("destination", r.getSpec().destination);
        o.put("port", r.getSpec().port);
        o.put("protocol", r.getSpec().protocol);
        o.put("reason", r.getSpec().reason);
      }
      o.put("created", r.getMetadata().getCreationTimestamp());
      AccessRequestStatus s = e.status();
      o.put("phase", s.phase);
      o.put("message", s.message);
      o.put("edge", s.edge);
      o.put("edgeStatus", e.edgeStatus());
      o.put("decidedBy", s.decidedBy);
      o.put("decidedAt", s.decidedAt);
      if (s.audit != null) {
        o.put("audit", s.audit);
      }
    }
    return JSON.writeValueAsString(a);
  }

  /** Writes the status subresource (PUT .../status), at the version the informer holds. */
  public static AccessRequestQueue.StatusWriter kubeStatus(KubernetesClient client) {
    return (r, status) -> {
      AccessRequest copy = new AccessRequest();
      copy.setMetadata(new ObjectMetaBuilder().withNamespace(r.getMetadata().getNamespace())
          .withName(r.getMetadata().getName()).withResourceVersion(r.getMetadata().getResourceVersion())
          .withUid(r.getMetadata().getUid()).withGeneration(r.getMetadata().getGeneration()).build());
      copy.setSpec(r.getSpec());
      copy.setStatus(status);
      client.resources(AccessRequest.class).inNamespace(r.getMetadata().getNamespace()).resource(copy).updateStatus();
    };
  }
}
