package dev.palisade.model.access;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Everything a Palisade component may do with the Kubernetes API, declared once next to its code:
 * the rules of its ClusterRole and, optionally, of a Role in its own namespace. The component makes
 * its informers only for kinds its declaration lets it watch ({@link #requireWatch}), tests replay
 * the component against a mock API server and check every request against it ({@link #uncovered}),
 * and {@code scripts/gen-rbac.sh} writes the RBAC manifests from it ({@link RbacYaml}). So the
 * manifests cannot grant less than the code uses.
 *
 * @param serviceAccount also the name of the ClusterRole and its binding
 * @param namespace where the ServiceAccount (and the Role) live
 * @param why one line on what the component does with the API, written atop its manifest
 * @param clusterRules the ClusterRole's rules: in every namespace and for cluster-scoped kinds
 * @param ownNamespace null, or a Role only in {@code namespace}
 */
public record KubeAccess(String serviceAccount, String namespace, String why, List<AccessRule> clusterRules,
    NamespaceRole ownNamespace) {

  /**
   * Rules that hold only in the component's own namespace (the controller's leader Lease), so a
   * component cannot touch the same kind elsewhere.
   *
   * @param name of the Role and its RoleBinding
   */
  public record NamespaceRole(String name, List<AccessRule> rules) {
    public NamespaceRole {
      rules = List.copyOf(rules);
    }
  }

  public KubeAccess {
    Objects.requireNonNull(serviceAccount, "serviceAccount");
    Objects.requireNonNull(namespace, "namespace");
    clusterRules = List.copyOf(clusterRules);
  }

  /** Whether a rule lets the call through: cluster rules anywhere, the Role's only in {@link #namespace}. */
  public boolean permits(ApiCall call) {
    if (clusterRules.stream().anyMatch(r -> r.covers(call))) {
      return true;
    }
    return ownNamespace != null && namespace.equals(call.namespace())
        && ownNamespace.rules().stream().anyMatch(r -> r.covers(call));
  }

  /** The calls no rule lets through, each once, sorted: what the API server would refuse with 403. */
  public List<ApiCall> uncovered(Collection<ApiCall> calls) {
    TreeSet<ApiCall> out = new TreeSet<>(java.util.Comparator.comparing(ApiCall::toString));
    for (ApiCall c : calls) {
      if (!permits(c)) {
        out.add(c);
      }
    }
    return List.copyOf(out);
  }

  /**
   * Fails unless an informer of {@code kind} may list and watch it: across all namespaces
   * (namespace null), or in the one given.
   *
   * @throws IllegalStateException naming the missing grant, so an undeclared informer never starts
   */
  public void requireWatch(Class<? extends HasMetadata> kind, String inNamespace) {
    for (String verb : List.of("list", "watch")) {
      ApiCall c = new ApiCall(verb, AccessRule.groupOf(kind), AccessRule.resourceOf(kind), null, inNamespace);
      if (!permits(c)) {
        throw new IllegalStateException(serviceAccount + " may not " + c + ": declare it in the component's "
            + "KubeAccess (then run scripts/gen-rbac.sh) before making an informer of " + kind.getSimpleName());
      }
    }
  }

  /** Every rule, the Role's last. */
  public List<AccessRule> rules() {
    List<AccessRule> all = new ArrayList<>(clusterRules);
    if (ownNamespace != null) {
      all.addAll(ownNamespace.rules());
    }
    return all;
  }

  /** No rule writes. */
  public boolean readOnly() {
    return rules().stream().allMatch(AccessRule::readOnly);
  }

  /** The same declaration less one rule: for tests showing that a missing grant is caught. */
  public KubeAccess without(AccessRule rule) {
    if (!rules().contains(rule)) {
      throw new IllegalArgumentException(serviceAccount + " has no rule " + rule);
    }
    List<AccessRule> cluster = clusterRules.stream().filter(r -> !r.equals(rule)).toList();
    NamespaceRole own = ownNamespace == null ? null
        : new NamespaceRole(ownNamespace.name(), ownNamespace.rules().stream().filter(r -> !r.equals(rule)).toList());
    return new KubeAccess(serviceAccount, namespace, why, cluster, own);
  }
}
