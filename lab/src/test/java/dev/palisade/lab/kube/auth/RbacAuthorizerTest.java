package dev.palisade.lab.kube.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RBAC decisions over one policy, one row per request, as kube-apiserver would decide them. */
class RbacAuthorizerTest {
  /** Users of the table, by short name. */
  private static User user(String who) {
    return switch (who) {
      case "agent" -> new User(User.serviceAccountName("palisade-system", "palisade-agent"), "u1",
          List.of("system:serviceaccounts", "system:serviceaccounts:palisade-system", User.AUTHENTICATED),
          java.util.Map.of());
      case "shop-sa" -> User.of(User.serviceAccountName("shop", "web"), "system:serviceaccounts",
          "system:serviceaccounts:shop", User.AUTHENTICATED);
      case "alice" -> User.of("alice", User.AUTHENTICATED);
      case "dev" -> User.of("bob", "developers", User.AUTHENTICATED);
      case "admin" -> User.of("root", User.MASTERS, User.AUTHENTICATED);
      case "nobody" -> User.of("carol", User.AUTHENTICATED);
      default -> throw new IllegalArgumentException(who);
    };
  }

  static final String POLICY = """
      apiVersion: rbac.authorization.k8s.io/v1
      kind: ClusterRole
      metadata: {name: palisade-agent}
      rules:
      - apiGroups: [""]
        resources: [pods, namespaces, nodes]
        verbs: [get, list, watch]
      - apiGroups: [palisade.dev]
        resources: [workloadidentities, allowlists, segmentationmodes]
        verbs: [get, list, watch]
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: ClusterRoleBinding
      metadata: {name: palisade-agent}
      roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: palisade-agent}
      subjects:
      - {kind: ServiceAccount, name: palisade-agent, namespace: palisade-system}
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: ClusterRole
      metadata: {name: scaler}
      rules:
      - apiGroups: [apps]
        resources: [deployments/scale]
        verbs: [update, patch]
      - apiGroups: [""]
        resources: ["*/status"]
        verbs: [get]
      - apiGroups: [""]
        resources: [configmaps]
        resourceNames: [settings]
        verbs: [get, update, list]
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: RoleBinding
      metadata: {name: alice-scales, namespace: shop}
      roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: scaler}
      subjects:
      - {apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: Role
      metadata: {name: everything, namespace: shop}
      rules:
      - apiGroups: ["*"]
        resources: ["*"]
        verbs: ["*"]
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: RoleBinding
      metadata: {name: developers, namespace: shop}
      roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: everything}
      subjects:
      - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: developers}
      - {kind: ServiceAccount, name: web}
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: ClusterRoleBinding
      metadata: {name: broken}
      roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: missing}
      subjects:
      - {apiGroup: rbac.authorization.k8s.io, kind: User, name: carol}
      ---
      apiVersion: rbac.authorization.k8s.io/v1
      kind: ClusterRoleBinding
      metadata: {name: sa-without-namespace}
      roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: palisade-agent}
      subjects:
      - {kind: ServiceAccount, name: web}
      """;

  static RbacPolicy policy(String yaml) {
    List<Role> roles = new ArrayList<>();
    List<ClusterRole> clusterRoles = new ArrayList<>();
    List<RoleBinding> roleBindings = new ArrayList<>();
    List<ClusterRoleBinding> clusterRoleBindings = new ArrayList<>();
    for (String doc : yaml.split("(?m)^---$")) {
      if (doc.isBlank()) {
        continue;
      }
      HasMetadata o = Serialization.unmarshal(doc);
      // ServiceAccounts and the rest of a manifest say nothing about permissions
      if (o instanceof Role r) {
        roles.add(r);
      } else if (o instanceof ClusterRole r) {
        clusterRoles.add(r);
      } else if (o instanceof RoleBinding b) {
        roleBindings.add(b);
      } else if (o instanceof ClusterRoleBinding b) {
        clusterRoleBindings.add(b);
      }
    }
    return new RbacPolicy(roles, clusterRoles, roleBindings, clusterRoleBindings).withDefaults();
  }

  private static final RbacPolicy P = policy(POLICY);

  @ParameterizedTest(name = "{0}: {1} {2} {3}/{4} ns={5} name={6} -> {7}")
  @CsvSource(delimiter = '|', textBlock = """
      # who  | verb   | group        | resource          | sub    | namespace | name     | allowed
      agent  | list   | ''           | pods              | ''     | ''        | ''       | true
      agent  | watch  | ''           | pods              | ''     | shop      | ''       | true
      agent  | get    | ''           | nodes             | ''     | ''        | n1       | true
      agent  | delete | ''           | pods              | ''     | shop      | p        | false
      agent  | create | palisade.dev | allowlists        | ''     | shop      | ''       | false
      agent  | list   | palisade.dev | allowlists        | ''     | ''        | ''       | true
      agent  | list   | palisade.dev | learnedflows      | ''     | ''        | ''       | false
      agent  | get    | ''           | pods              | status | shop      | p        | false
      agent  | list   | apps         | pods              | ''     | ''        | ''       | false
      alice  | patch  | apps         | deployments       | scale  | shop      | d        | true
      alice  | patch  | apps         | deployments       | ''     | shop      | d        | false
      alice  | patch  | apps         | deployments       | scale  | other     | d        | false
      alice  | get    | ''           | pods              | status | shop      | p        | true
      alice  | get    | ''           | configmaps        | ''     | shop      | settings | true
      alice  | get    | ''           | configmaps        | ''     | shop      | secrets  | false
      alice  | list   | ''           | configmaps        | ''     | shop      | ''       | false
      dev    | delete | apps         | deployments       | ''     | shop      | d        | true
      dev    | delete | apps         | deployments       | ''     | ''        | d        | false
      dev    | create | palisade.dev | allowlists        | ''     | other     | ''       | false
      shop-sa| create | ''           | pods              | ''     | shop      | ''       | true
      shop-sa| list   | ''           | pods              | ''     | ''        | ''       | false
      admin  | deletecollection | '' | pods            | ''     | ''        | ''       | true
      nobody | get    | ''           | pods              | ''     | shop      | p        | false
      nobody | create | authorization.k8s.io | selfsubjectaccessreviews | '' | '' | ''   | true
      nobody | create | authorization.k8s.io | subjectaccessreviews     | '' | '' | ''   | false
      """)
  void resourceRequests(String who, String verb, String group, String resource, String sub, String namespace,
      String name, boolean allowed) {
    RequestInfo request = RequestInfo.resource(verb, group, resource, sub, namespace, name);
    RbacAuthorizer.Decision d = RbacAuthorizer.authorize(P, user(who), request);
    assertEquals(allowed, d.allowed(), () -> who + " " + request + ": " + d.reason());
  }

  @ParameterizedTest(name = "{0} {1} {2} -> {3}")
  @CsvSource(delimiter = '|', textBlock = """
      nobody | get  | /api                     | true
      nobody | get  | /apis/apps/v1            | true
      nobody | get  | /openapi/v3/apis/apps/v1 | true
      nobody | get  | /version                 | true
      nobody | get  | /metrics                 | false
      nobody | post | /api                     | false
      admin  | get  | /metrics                 | true
      """)
  void nonResourceRequests(String who, String verb, String path, boolean allowed) {
    assertEquals(allowed, RbacAuthorizer.authorize(P, user(who), RequestInfo.nonResource(verb, path)).allowed());
  }

  @Test
  void reasonsNameTheBindingThatAllowed() {
    RbacAuthorizer.Decision d = RbacAuthorizer.authorize(P, user("agent"),
        RequestInfo.resource("list", "", "pods", "", "", ""));
    assertEquals("RBAC: allowed by ClusterRoleBinding \"palisade-agent\" of ClusterRole \"palisade-agent\" to "
        + "ServiceAccount \"palisade-agent/palisade-system\"", d.reason());
    RbacAuthorizer.Decision r = RbacAuthorizer.authorize(P, user("shop-sa"),
        RequestInfo.resource("get", "", "pods", "", "shop", "p"));
    assertEquals("RBAC: allowed by RoleBinding \"developers/shop\" of Role \"everything\" to ServiceAccount "
        + "\"web/shop\"", r.reason());
  }

  @Test
  void aBindingToAMissingRoleGrantsNothingAndSaysSo() {
    RbacAuthorizer.Decision d = RbacAuthorizer.authorize(P, user("nobody"),
        RequestInfo.resource("get", "", "pods", "", "shop", "p"));
    assertFalse(d.allowed());
    assertEquals("RBAC: clusterrole.rbac.authorization.k8s.io \"missing\" not found", d.reason());
  }

  @Test
  void aClusterRoleBindingNeedsTheServiceAccountNamespace() {
    // sa-without-namespace names ServiceAccount "web" with no namespace: it applies to no one
    assertFalse(RbacAuthorizer.authorize(P, user("shop-sa"), RequestInfo.resource("list", "", "nodes", "", "", ""))
        .allowed());
  }

  @Test
  void forbiddenMessagesReadLikeKubeApiserver() {
    RequestInfo list = RequestInfo.resource("list", "", "pods", "", "", "");
    assertEquals("pods is forbidden: User \"system:serviceaccount:x:y\" cannot list resource \"pods\" in API group "
        + "\"\" at the cluster scope", Refusals.forbidden(User.of("system:serviceaccount:x:y"), list, "").getMessage());
    RequestInfo scale = RequestInfo.resource("patch", "apps", "deployments", "scale", "shop", "d");
    assertEquals("deployments.apps \"d\" is forbidden: User \"alice\" cannot patch resource \"deployments/scale\" in "
        + "API group \"apps\" in the namespace \"shop\"", Refusals.forbidden(User.of("alice"), scale, "").getMessage());
    assertEquals("forbidden: User \"alice\" cannot get path \"/metrics\"",
        Refusals.forbidden(User.of("alice"), RequestInfo.nonResource("get", "/metrics"), "").getMessage());
    assertEquals(403, Refusals.forbidden(User.of("alice"), scale, "").getCode());
    assertEquals("Forbidden", Refusals.forbidden(User.of("alice"), scale, "").getReason());
  }
}
