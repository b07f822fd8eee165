package dev.palisade.controller.review;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import dev.palisade.controller.api.ApiException;
import dev.palisade.controller.api.ApiRequest;
import dev.palisade.controller.api.ApiResponse;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.Router;
import dev.palisade.dataplane.agent.ClusterSnapshot;
import dev.palisade.dataplane.agent.FailsafeBuilder;
import dev.palisade.dataplane.agent.WhyExplainer;
import dev.palisade.dataplane.agent.WhyExplainer.End;
import dev.palisade.dataplane.agent.WhyExplainer.Explanation;
import dev.palisade.dataplane.agent.WhyExplainer.GraphEdge;
import dev.palisade.dataplane.render.AllowRect.Proto;
import dev.palisade.model.Mode;
import dev.palisade.model.crd.AllowList;
import dev.palisade.model.crd.SegmentationMode;
import dev.palisade.model.crd.WorkloadIdentity;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code GET /v1/why?src=&dst=&port=&protocol=} (viewer): the verdict a NEW connection gets now
 * and what decided it, for {@code palisade why}. The verdict is {@link WhyExplainer}'s, which
 * runs the agent's own rule computation on what the API server holds now (read fresh per call,
 * as the agents' informers see it: a question asked after a change must see the change) and the
 * reviewed graph for the edge's status and the nearest approved edges.
 */
public final class WhyEndpoint {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final KubernetesClient client;
  private final Supplier<String> graphJson;
  private final Supplier<Mode> clusterDefault;
  private final FailsafeBuilder.Config failsafe;
  /** The cluster policies as the controller's informers hold them (the agents' tiers). */
  private Supplier<List<io.fabric8.kubernetes.api.model.GenericKubernetesResource>> clusterPolicies = List::of;
  private boolean workloadModeAnnotations;

  /**
   * @param graphJson the controller's {@code GET /v1/graph} answer (edges with their status)
   * @param clusterDefault the mode the controller published for workloads nothing else covers
   */
  public WhyEndpoint(KubernetesClient client, Supplier<String> graphJson, Supplier<Mode> clusterDefault) {
    this(client, graphJson, clusterDefault, FailsafeBuilder.Config.DEFAULT);
  }

  public WhyEndpoint(KubernetesClient client, Supplier<String> graphJson, Supplier<Mode> clusterDefault,
      FailsafeBuilder.Config failsafe) {
    this.client = client;
    this.graphJson = graphJson;
    this.clusterDefault = clusterDefault;
    this.failsafe = failsafe;
  }

  /** Walks the ClusterNetworkPolicy tiers too (without this, as if the cluster had none). */
  /** Whether workload mode annotations are honoured, as the controller publishes it to the agents (default: not). */
  public WhyEndpoint workloadModeAnnotations(boolean honoured) {
    this.workloadModeAnnotations = honoured;
    return this;
  }

  public WhyEndpoint clusterPolicies(Supplier<List<io.fabric8.kubernetes.api.model.GenericKubernetesResource>> objects) {
    this.clusterPolicies = objects;
    return this;
  }

  public Router addTo(Router router) {
    return router.add("GET", "/v1/why", Role.VIEWER, this::why);
  }

  ApiResponse why(ApiRequest r) {
    String src = required(r, "src");
    String dst = required(r, "dst");
    int port = port(required(r, "port"));
    Proto proto = protocol(r.param("protocol") == null ? "TCP" : r.param("protocol"));
    ClusterSnapshot s = snapshot();
    Explanation e;
    try {
      End from = WhyExplainer.resolve(s, src);
      End to = WhyExplainer.resolve(s, dst);
      e = WhyExplainer.explain(s, failsafe, edges(graphJson.get()), from, to, proto, port);
    } catch (IllegalArgumentException ex) {
      throw ApiException.badRequest(ex.getMessage());
    }
    return ApiResponse.json(200, JSON.writeValueAsString(toJson(e, src, dst, proto, port)));
  }

  /** The answer's JSON: verdict (allow|deny), decidedBy, reason, both ends, modes, nearest approved edges. */
  static ObjectNode toJson(Explanation e, String src, String dst, Proto proto, int port) {
    ObjectNode o = JSON.createObjectNode();
    o.put("verdict", e.verdict());
    o.put("decidedBy", e.decidedBy());
    o.put("reason", e.reason());
    o.put("edge", e.source().vertex() + " -> " + e.destination().vertex() + " " + port + "/" + proto.name());
    end(o.putObject("source"), src, e.source(), e.sourceMode());
    end(o.putObject("destination"), dst, e.destination(), e.destinationMode());
    o.put("port", port);
    o.put("protocol", proto.name());
    ArrayNode nodes = o.putArray("nodes");
    e.nodes().forEach(nodes::add);
    ArrayNode logs = o.putArray("logs");
    e.logs().forEach(logs::add);
    ArrayNode near = o.putArray("nearestApproved");
    e.nearestApproved().forEach(near::add);
    if (!e.allowed() || "mode monitor".equals(e.decidedBy())) {
      boolean edge = e.source().vertex().split("/").length == 3 && e.destination().vertex().split("/").length == 3;
      o.put("howToRequest", edge && !e.decidedBy().startsWith("NetworkPolicy")
          ? dev.palisade.controller.events.DropEvents.request(e.source().vertex() + " " + e.destination().vertex() + " "
              + port + "/" + proto.name()) + " (an approver decides it on the review page)"
          : e.decidedBy().startsWith("NetworkPolicy") ? "the NetworkPolicy's owners must allow it: kubectl describe "
              + "networkpolicy in the namespace of the isolated end" : "an address outside the cluster: ask a reviewer");
    }
    return o;
  }

  private static void end(ObjectNode o, String ref, End e, String mode) {
    o.put("ref", ref);
    o.put("ip", e.ip());
    o.put("vertex", e.vertex());
    if (e.node() != null) {
      o.put("node", e.node());
    }
    if (mode != null) {
      o.put("mode", mode);
    }
  }

  /** The graph's edges from its JSON form. */
  static List<GraphEdge> edges(String graphJson) {
    JsonNode g = JSON.readTree(graphJson);
    List<GraphEdge> out = new ArrayList<>();
    for (JsonNode e : g.path("edges")) {
      out.add(new GraphEdge(e.path("source").asString(), e.path("destination").asString(), e.path("protocol").asString(),
          e.path("port").asInt(), e.path("status").asString()));
    }
    return out;
  }

  /** What the agents' informers hold, read from the API server now. */
  private ClusterSnapshot snapshot() {
    Mode def = clusterDefault.get();
    return new ClusterSnapshot(all(Pod.class), this::owner, all(WorkloadIdentity.class), all(AllowList.class),
        all(NetworkPolicy.class), all(SegmentationMode.class), client.resources(Namespace.class).list().getItems(),
        client.resources(Node.class).list().getItems(), all(Service.class), all(EndpointSlice.class),
        def == null ? Mode.ENFORCE : def, clusterPolicies.get(), workloadModeAnnotations);
  }

  private Optional<HasMetadata> owner(String ns, String kind, String name) {
    Class<? extends HasMetadata> type = switch (kind) {
      case "ReplicaSet" -> ReplicaSet.class;
      case "Job" -> Job.class;
      default -> null; // as the agent: only these owners are looked up, the rest is the owner reference
    };
    return type == null ? Optional.empty()
        : Optional.ofNullable(client.resources(type).inNamespace(ns).withName(name).get());
  }

  private <T extends HasMetadata> List<T> all(Class<T> kind) {
    return client.resources(kind).inAnyNamespace().list().getItems();
  }

  private static String required(ApiRequest r, String name) {
    String v = r.param(name);
    if (v == null || v.isBlank()) {
      throw ApiException.badRequest("query parameter '" + name + "' is required (src, dst, port, protocol)");
    }
    return v;
  }

  private static int port(String text) {
    try {
      int p = Integer.parseInt(text);
      if (p >= 1 && p <= 65535) {
        return p;
      }
    } catch (NumberFormatException e) {
      // fall through to the message
    }
    throw ApiException.badRequest("port must be a number 1..65535, not '" + text + "'");
  }

  private static Proto protocol(String text) {
    try {
      return Proto.valueOf(text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("protocol must be TCP, UDP or SCTP, not '" + text + "'");
    }
  }
}
