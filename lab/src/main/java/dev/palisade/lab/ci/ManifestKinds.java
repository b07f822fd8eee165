package dev.palisade.lab.ci;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Which objects of {@code --manifests} the lab applies, checked before a lab exists: Kubernetes'
 * own kinds (those fabric8's model types: a misspelt kind is not one of them), Palisade's kinds an
 * app's repository may carry (SegmentationMode, ApprovedGraph, AccessRequest, namespaced) and the
 * cluster-scoped policies (ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy,
 * which {@code Lab.apply} applies cluster-scoped). Anything else (another CRD's kind, what only
 * the controller writes) is bad input naming the file and kind: a skipped object would make the
 * run judge an app that is not the one in the change. Pure: documents in, a verdict out.
 */
final class ManifestKinds {
  /** Palisade kinds by API group, applied as they are; the controller's own objects are not among them. */
  static final Map<String, Set<String>> CUSTOM = Map.of(
      "palisade.dev", Set.of("SegmentationMode", "ApprovedGraph", "AccessRequest"),
      "policy.networking.k8s.io", Set.of("ClusterNetworkPolicy", "AdminNetworkPolicy", "BaselineAdminNetworkPolicy"));
  /** Written by the controller from what it learns and decides: a manifest carrying one is a mistake. */
  static final Set<String> CONTROLLER_OWNED = Set.of("AllowList", "WorkloadIdentity", "LearnedFlows", "ReviewAudit",
      "GraphSnapshot");
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private ManifestKinds() {}

  /** Checks every document of one file (a {@code kind: List} item by item); CiInputException naming the first bad one. */
  static void check(String file, List<JsonNode> docs) {
    int n = 0;
    for (JsonNode doc : docs) {
      n++;
      if (doc == null || doc.isNull()) {
        continue;
      }
      String at = file + ": document " + n;
      Object o;
      try {
        o = SERIALIZATION.unmarshal(doc.toString());
      } catch (RuntimeException e) {
        throw new CiInputException(at + ": not a Kubernetes object: " + e.getMessage());
      }
      List<HasMetadata> items = new ArrayList<>();
      if (o instanceof KubernetesList list) {
        items.addAll(list.getItems());
      } else if (o instanceof HasMetadata h) {
        items.add(h);
      } else {
        throw new CiInputException(at + ": not a Kubernetes object (no apiVersion and kind)");
      }
      for (HasMetadata item : items) {
        String problem = problem(item);
        if (problem != null) {
          throw new CiInputException(at + ": kind " + item.getKind() + " (apiVersion " + item.getApiVersion()
              + "): " + problem);
        }
      }
    }
  }

  /** Why the lab does not apply this object, or null when it does. */
  static String problem(HasMetadata item) {
    String apiVersion = item.getApiVersion() == null ? "" : item.getApiVersion();
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    String kind = item.getKind();
    Set<String> custom = CUSTOM.get(group);
    if (custom != null) {
      if (custom.contains(kind)) {
        return null;
      }
      if (group.equals("palisade.dev") && CONTROLLER_OWNED.contains(kind)) {
        return "written by the Palisade controller, never by an app's manifests";
      }
      return "not a kind of " + group + " (known: " + String.join(", ", new java.util.TreeSet<>(custom)) + ")";
    }
    if (item instanceof GenericKubernetesResource) {
      return "not a Kubernetes kind the lab knows, nor one of Palisade's (" + String.join(", ",
          new java.util.TreeSet<>(CUSTOM.get("palisade.dev"))) + ", " + String.join(", ",
          new java.util.TreeSet<>(CUSTOM.get("policy.networking.k8s.io"))) + "); remove it from --manifests";
    }
    return null;
  }
}
