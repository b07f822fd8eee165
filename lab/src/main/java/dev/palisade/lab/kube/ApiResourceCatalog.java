package dev.palisade.lab.kube;

import dev.palisade.model.cnp.ClusterNetworkPolicy;
import dev.palisade.model.cnp.ClusterPolicyKind;
import dev.palisade.model.crd.AllowList;
import dev.palisade.model.crd.CrdNames;
import dev.palisade.model.crd.LearnedFlows;
import dev.palisade.model.crd.GraphSnapshot;
import dev.palisade.model.crd.ReviewAudit;
import dev.palisade.model.crd.SegmentationMode;
import dev.palisade.model.crd.WorkloadIdentity;
import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.APIVersionsBuilder;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The kinds the lab's API server admits, and the legacy discovery documents (/api, /apis, /api/v1,
 * /apis/GROUP/VERSION) built from them.
 *
 * <p>The CRUD mock stores any path it is given but answers no discovery, and kubectl resolves
 * every resource name ("deploy", "pods", "allowlists") through discovery before it sends a request.
 * Short names and the "all" category come from here too: kubectl's built-in short-name table is
 * only a fallback used when discovery lacks them.
 */
final class ApiResourceCatalog {
  private static final List<String> VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

  /** One kind as discovery presents it. */
  record Kind(String group, String version, String kind, String plural, boolean namespaced,
      List<String> shortNames, List<String> categories, List<String> subresources, List<String> verbs) {
    Kind(String group, String version, String kind, String plural, boolean namespaced, List<String> shortNames,
        List<String> categories, List<String> subresources) {
      this(group, version, kind, plural, namespaced, shortNames, categories, subresources, VERBS);
    }

    String groupVersion() {
      return group.isEmpty() ? version : group + "/" + version;
    }
  }

  private static final List<String> ALL = List.of("all");
  /** Group of the third-party kinds whose CRDs deploy/crds/third-party holds. */
  static final String POLICY_REPORTS = "wgpolicyk8s.io";

  static final List<Kind> KINDS = java.util.stream.Stream.concat(java.util.stream.Stream.of(
      core("Namespace", "namespaces", false, List.of("ns"), List.of(), List.of("status", "finalize")),
      core("Pod", "pods", true, List.of("po"), ALL, List.of("status")),
      core("Service", "services", true, List.of("svc"), ALL, List.of("status")),
      core("Node", "nodes", false, List.of("no"), List.of(), List.of("status")),
      core("ServiceAccount", "serviceaccounts", true, List.of("sa"), List.of(), List.of("token")),
      core("Endpoints", "endpoints", true, List.of("ep"), List.of(), List.of()),
      core("ConfigMap", "configmaps", true, List.of("cm"), List.of(), List.of()),
      core("Event", "events", true, List.of("ev"), List.of(), List.of()),
      new Kind("apps", "v1", "Deployment", "deployments", true, List.of("deploy"), ALL, List.of("status", "scale")),
      new Kind("apps", "v1", "ReplicaSet", "replicasets", true, List.of("rs"), ALL, List.of("status", "scale")),
      new Kind("apps", "v1", "StatefulSet", "statefulsets", true, List.of("sts"), ALL, List.of("status", "scale")),
      new Kind("apps", "v1", "DaemonSet", "daemonsets", true, List.of("ds"), ALL, List.of("status")),
      new Kind("batch", "v1", "Job", "jobs", true, List.of(), ALL, List.of("status")),
      new Kind("batch", "v1", "CronJob", "cronjobs", true, List.of("cj"), ALL, List.of("status")),
      new Kind("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true, List.of(), List.of(), List.of()),
      new Kind("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", true, List.of("netpol"), List.of(),
          List.of()),
      // upstream's CRD (kubernetes-sigs/network-policy-api), served as a cluster with it installed
      // would: the agent enforces it; its objects are checked by the agent's strict reader
      // the Policy WG's report (deploy/crds/third-party): the controller writes one per namespace
      new Kind(POLICY_REPORTS, "v1alpha2", "PolicyReport", "policyreports", true, List.of("polr"), List.of(),
          List.of()),
      new Kind("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", false,
          List.of("crd", "crds"), List.of(), List.of("status")),
      new Kind("coordination.k8s.io", "v1", "Lease", "leases", true, List.of(), List.of(), List.of()),
      rbac("Role", "roles", true),
      rbac("ClusterRole", "clusterroles", false),
      rbac("RoleBinding", "rolebindings", true),
      rbac("ClusterRoleBinding", "clusterrolebindings", false),
      // answered by the API server itself (AccessEndpoints), never stored: create only
      review("authentication.k8s.io", "TokenReview", "tokenreviews", false),
      review("authentication.k8s.io", "SelfSubjectReview", "selfsubjectreviews", false),
      review("authorization.k8s.io", "SubjectAccessReview", "subjectaccessreviews", false),
      review("authorization.k8s.io", "SelfSubjectAccessReview", "selfsubjectaccessreviews", false),
      review("authorization.k8s.io", "LocalSubjectAccessReview", "localsubjectaccessreviews", true),
      palisade(WorkloadIdentity.class),
      palisade(LearnedFlows.class),
      palisade(AllowList.class),
      palisade(SegmentationMode.class),
      palisade(ReviewAudit.class),
      palisade(GraphSnapshot.class),
      palisade(dev.palisade.model.crd.AccessRequest.class),
      palisade(dev.palisade.model.crd.ApprovedGraph.class)),
      // upstream's CRDs (kubernetes-sigs/network-policy-api), served as a cluster with them
      // installed would: the agents enforce them; their objects are checked by the agents' strict reader
      ClusterPolicyKind.ALL.stream().map(k -> new Kind(k.group(), k.version(), k.kind(), k.plural(), false,
          List.of(k.shortName()), List.of(), List.of()))).toList();

  private ApiResourceCatalog() {}

  private static Kind core(String kind, String plural, boolean namespaced, List<String> shortNames,
      List<String> categories, List<String> subresources) {
    return new Kind("", "v1", kind, plural, namespaced, shortNames, categories, subresources);
  }

  private static Kind rbac(String kind, String plural, boolean namespaced) {
    return new Kind("rbac.authorization.k8s.io", "v1", kind, plural, namespaced, List.of(), List.of(), List.of());
  }

  private static Kind review(String group, String kind, String plural, boolean namespaced) {
    return new Kind(group, "v1", kind, plural, namespaced, List.of(), List.of(), List.of(), List.of("create"));
  }

  /** From the model's classes, which also generate deploy/crds: names and short names cannot drift. */
  private static Kind palisade(Class<? extends CustomResource<?, ?>> type) {
    return new Kind(HasMetadata.getGroup(type), HasMetadata.getVersion(type), HasMetadata.getKind(type),
        HasMetadata.getPlural(type), Namespaced.class.isAssignableFrom(type),
        List.of(CustomResource.getShortNames(type)), List.of(CustomResource.getCategories(type)),
        hasStatus(type) ? List.of("status") : List.of());
  }

  /** Whether a kind's CRD declares a status subresource: the generator gives one to a kind with a status type. */
  private static boolean hasStatus(Class<?> type) {
    java.lang.reflect.Type sup = type.getGenericSuperclass();
    return sup instanceof java.lang.reflect.ParameterizedType p && p.getActualTypeArguments().length == 2
        && p.getActualTypeArguments()[1] != Void.class;
  }

  /**
   * The Palisade kinds (and the custom kinds Palisade uses), so the CRUD store maps their plural paths to kinds and scopes. Most CRDs
   * declare no status subresource (status is Void), so neither does the store; AccessRequest does.
   */
  static List<CustomResourceDefinitionContext> customResources() {
    return KINDS.stream().filter(k -> k.group().equals(CrdNames.GROUP) || k.group().equals(ClusterNetworkPolicy.GROUP)
            || k.group().equals(POLICY_REPORTS))
        .map(k -> new CustomResourceDefinitionContext.Builder()
            .withGroup(k.group()).withVersion(k.version()).withKind(k.kind()).withPlural(k.plural())
            .withScope(k.namespaced() ? "Namespaced" : "Cluster")
            .withStatusSubresource(k.subresources().contains("status")).build())
        .toList();
  }

  /** GET /api. */
  static String coreVersions() {
    return Serialization.asJson(new APIVersionsBuilder().withVersions("v1").build());
  }

  /** GET /apis. */
  static String groups() {
    return Serialization.asJson(new APIGroupListBuilder().withGroups(groupList()).build());
  }

  /** GET /apis/GROUP: one group with its versions, or empty when the group is unknown. */
  static Optional<String> group(String name) {
    return groupList().stream().filter(g -> g.getName().equals(name)).findFirst().map(Serialization::asJson);
  }

  /** GET /api/v1 or /apis/GROUP/VERSION: the resources of that group version, or empty when unknown. */
  static Optional<String> resources(String groupVersion) {
    List<APIResource> resources = new ArrayList<>();
    for (Kind k : KINDS) {
      if (!k.groupVersion().equals(groupVersion)) {
        continue;
      }
      resources.add(new APIResourceBuilder().withName(k.plural()).withSingularName(k.kind().toLowerCase())
          .withKind(k.kind()).withNamespaced(k.namespaced()).withVerbs(k.verbs()).withShortNames(k.shortNames())
          .withCategories(k.categories()).build());
      for (String sub : k.subresources()) {
        boolean token = sub.equals("token");
        resources.add(new APIResourceBuilder().withName(k.plural() + "/" + sub).withSingularName("")
            .withKind(token ? "TokenRequest" : sub.equals("scale") ? "Scale" : k.kind()).withNamespaced(k.namespaced())
            .withGroup(token ? "authentication.k8s.io" : null).withVersion(token ? "v1" : null)
            .withVerbs(token ? List.of("create") : List.of("get", "patch", "update")).build());
      }
    }
    if (resources.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(Serialization.asJson(
        new APIResourceListBuilder().withGroupVersion(groupVersion).withResources(resources).build()));
  }

  /**
   * GET /openapi/v3: the index of per-group-version documents. kubectl apply's default
   * {@code --validate=strict} reads it to learn whether the server validates fields itself; without
   * it kubectl insists on downloading the OpenAPI v2 schema and refuses to apply.
   */
  static String openApiIndex() {
    StringBuilder paths = new StringBuilder();
    KINDS.stream().map(Kind::groupVersion).distinct().forEach(gv -> {
      String key = openApiKey(gv);
      if (paths.length() > 0) {
        paths.append(',');
      }
      paths.append("\"%s\":{\"serverRelativeURL\":\"/openapi/v3/%s?hash=lab\"}".formatted(key, key));
    });
    return "{\"paths\":{" + paths + "}}";
  }

  /**
   * GET /openapi/v3/api/v1 or /openapi/v3/apis/GROUP/VERSION: a schema-less document whose only
   * content is, per kind, a PATCH operation that takes the {@code fieldValidation} query parameter.
   * That is what kubectl looks for to leave validation to the server (which, here, checks
   * custom resources only: {@link CustomResourceAdmission}) instead of validating against a schema. No strategic-merge-patch content type is
   * declared, so kubectl computes apply patches from its compiled-in types.
   */
  static Optional<String> openApiDocument(String key) {
    StringBuilder paths = new StringBuilder();
    for (Kind k : KINDS) {
      if (!openApiKey(k.groupVersion()).equals(key)) {
        continue;
      }
      String prefix = "/" + key + (k.namespaced() ? "/namespaces/{namespace}/" : "/") + k.plural() + "/{name}";
      if (paths.length() > 0) {
        paths.append(',');
      }
      paths.append("""
          "%s":{"patch":{"x-kubernetes-group-version-kind":{"group":"%s","version":"%s","kind":"%s"},\
          "parameters":[{"name":"fieldValidation","in":"query","schema":{"type":"string"}}],\
          "responses":{"200":{"description":"OK"}}}}""".formatted(prefix, k.group(), k.version(), k.kind()));
    }
    if (paths.length() == 0) {
      return Optional.empty();
    }
    return Optional.of("""
        {"openapi":"3.0.0","info":{"title":"Palisade lab","version":"v1.32.0"},"paths":{%s},\
        "components":{"schemas":{}}}""".formatted(paths));
  }

  private static String openApiKey(String groupVersion) {
    return groupVersion.contains("/") ? "apis/" + groupVersion : "api/" + groupVersion;
  }

  private static List<APIGroup> groupList() {
    Map<String, List<String>> versionsByGroup = new LinkedHashMap<>();
    for (Kind k : KINDS) {
      if (!k.group().isEmpty()) {
        List<String> versions = versionsByGroup.computeIfAbsent(k.group(), g -> new ArrayList<>());
        if (!versions.contains(k.version())) {
          versions.add(k.version());
        }
      }
    }
    List<APIGroup> groups = new ArrayList<>();
    versionsByGroup.forEach((name, versions) -> {
      List<GroupVersionForDiscovery> gvs = versions.stream()
          .map(v -> new GroupVersionForDiscovery(name + "/" + v, v)).toList();
      groups.add(new APIGroupBuilder().withName(name).withVersions(gvs).withPreferredVersion(gvs.get(0)).build());
    });
    return groups;
  }
}
