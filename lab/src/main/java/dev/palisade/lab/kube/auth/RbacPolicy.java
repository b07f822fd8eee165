package dev.palisade.lab.kube.auth;

import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The RBAC objects an authorization decision is made from, taken at one moment: Roles,
 * ClusterRoles, RoleBindings and ClusterRoleBindings, indexed for lookup. Immutable; a new snapshot
 * replaces it when the store's RBAC objects change.
 *
 * <p>{@link #withDefaults} adds, beside the stored objects, the parts of kube-apiserver's bootstrap
 * policy every cluster has and that the lab's users count on: discovery and public info for every
 * authenticated user (system:discovery, system:public-info-viewer) and self reviews
 * (system:basic-user, which {@code kubectl auth can-i} needs). They are not written to the store, so
 * they can neither be listed nor deleted; system:masters needs no binding (see {@link RbacAuthorizer}).
 */
public record RbacPolicy(List<Role> roles, List<ClusterRole> clusterRoles, List<RoleBinding> roleBindings,
    List<ClusterRoleBinding> clusterRoleBindings) {
  private static final List<String> DISCOVERY_URLS = List.of("/api", "/api/*", "/apis", "/apis/*", "/healthz",
      "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/");
  private static final List<String> PUBLIC_INFO_URLS = List.of("/healthz", "/livez", "/readyz", "/version",
      "/version/");

  public RbacPolicy {
    roles = List.copyOf(roles);
    clusterRoles = List.copyOf(clusterRoles);
    roleBindings = List.copyOf(roleBindings);
    clusterRoleBindings = List.copyOf(clusterRoleBindings);
  }

  public static RbacPolicy empty() {
    return new RbacPolicy(List.of(), List.of(), List.of(), List.of());
  }

  /** The stored objects plus the bootstrap roles and bindings named above; stored ones of the same name win. */
  public RbacPolicy withDefaults() {
    List<ClusterRole> cr = new ArrayList<>(clusterRoles);
    List<ClusterRoleBinding> crb = new ArrayList<>(clusterRoleBindings);
    addIfAbsent(cr, new ClusterRoleBuilder().withNewMetadata().withName("system:discovery").endMetadata()
        .addNewRule().withNonResourceURLs(DISCOVERY_URLS).withVerbs("get").endRule().build());
    addIfAbsent(cr, new ClusterRoleBuilder().withNewMetadata().withName("system:public-info-viewer").endMetadata()
        .addNewRule().withNonResourceURLs(PUBLIC_INFO_URLS).withVerbs("get").endRule().build());
    addIfAbsent(cr, new ClusterRoleBuilder().withNewMetadata().withName("system:basic-user").endMetadata()
        .addNewRule().withApiGroups("authorization.k8s.io")
        .withResources("selfsubjectaccessreviews", "selfsubjectrulesreviews").withVerbs("create").endRule()
        .addNewRule().withApiGroups("authentication.k8s.io").withResources("selfsubjectreviews")
        .withVerbs("create").endRule()
        .build());
    for (String name : List.of("system:discovery", "system:public-info-viewer", "system:basic-user")) {
      addIfAbsent(crb, new ClusterRoleBindingBuilder().withNewMetadata().withName(name).endMetadata()
          .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", name)
          .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("Group").withName(User.AUTHENTICATED)
          .endSubject().build());
    }
    return new RbacPolicy(roles, cr, roleBindings, crb);
  }

  private static <T extends io.fabric8.kubernetes.api.model.HasMetadata> void addIfAbsent(List<T> list, T item) {
    if (list.stream().noneMatch(x -> x.getMetadata().getName().equals(item.getMetadata().getName()))) {
      list.add(item);
    }
  }

  Optional<ClusterRole> clusterRole(String name) {
    return clusterRoles.stream().filter(r -> name.equals(r.getMetadata().getName())).findFirst();
  }

  Optional<Role> role(String namespace, String name) {
    return roles.stream().filter(r -> namespace.equals(r.getMetadata().getNamespace())
        && name.equals(r.getMetadata().getName())).findFirst();
  }

  List<RoleBinding> roleBindingsIn(String namespace) {
    return roleBindings.stream().filter(b -> namespace.equals(b.getMetadata().getNamespace())).toList();
  }
}
