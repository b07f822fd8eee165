package dev.palisade.lab.kube.auth;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Kubernetes RBAC, evaluated over a {@link RbacPolicy} snapshot; pure. Follows
 * plugin/pkg/auth/authorizer/rbac: ClusterRoleBindings grant everywhere, then the RoleBindings of the
 * request's namespace grant there (to a Role of that namespace or a ClusterRole); a rule allows when
 * its verbs, apiGroups, resources ({@code *}, {@code resource/subresource}, {@code *}{@code /sub})
 * and resourceNames match, or for non-resource requests its verbs and nonResourceURLs ({@code *}
 * and a trailing {@code *} as prefix). RBAC only allows: anything not allowed is denied.
 *
 * <p>Members of system:masters are allowed everything before RBAC is asked, as kube-apiserver's
 * privileged-group authorizer does.
 */
public final class RbacAuthorizer {
  /** The answer; the reason says which binding allowed, or which referenced role is missing. */
  public record Decision(boolean allowed, String reason) {
    static Decision allow(String reason) {
      return new Decision(true, reason);
    }

    static Decision noOpinion(String reason) {
      return new Decision(false, reason);
    }
  }

  private RbacAuthorizer() {}

  public static Decision authorize(RbacPolicy policy, User user, RequestInfo request) {
    if (user.inGroup(User.MASTERS)) {
      return Decision.allow("");
    }
    List<String> errors = new ArrayList<>();
    for (var binding : policy.clusterRoleBindings()) {
      Optional<Subject> subject = appliesTo(user, binding.getSubjects(), "");
      if (subject.isEmpty()) {
        continue;
      }
      RoleRef ref = binding.getRoleRef();
      Optional<List<PolicyRule>> rules = rules(policy, ref, "", errors);
      if (rules.isPresent() && rules.get().stream().anyMatch(r -> allows(r, request))) {
        return Decision.allow("RBAC: allowed by ClusterRoleBinding \"%s\" of %s \"%s\" to %s".formatted(
            binding.getMetadata().getName(), ref.getKind(), ref.getName(), describe(subject.get(), "")));
      }
    }
    if (!request.namespace().isEmpty()) {
      for (var binding : policy.roleBindingsIn(request.namespace())) {
        String ns = binding.getMetadata().getNamespace();
        Optional<Subject> subject = appliesTo(user, binding.getSubjects(), ns);
        if (subject.isEmpty()) {
          continue;
        }
        RoleRef ref = binding.getRoleRef();
        Optional<List<PolicyRule>> rules = rules(policy, ref, ns, errors);
        if (rules.isPresent() && rules.get().stream().anyMatch(r -> allows(r, request))) {
          return Decision.allow("RBAC: allowed by RoleBinding \"%s/%s\" of %s \"%s\" to %s".formatted(
              binding.getMetadata().getName(), ns, ref.getKind(), ref.getName(), describe(subject.get(), ns)));
        }
      }
    }
    return Decision.noOpinion(errors.isEmpty() ? ""
        : "RBAC: " + (errors.size() == 1 ? errors.get(0) : "[" + String.join(", ", errors) + "]"));
  }

  /** The rules a binding's roleRef names; a missing role grants nothing and is reported, as upstream does. */
  private static Optional<List<PolicyRule>> rules(RbacPolicy policy, RoleRef ref, String bindingNamespace,
      List<String> errors) {
    if (ref == null || ref.getName() == null) {
      return Optional.empty();
    }
    if ("ClusterRole".equals(ref.getKind())) {
      var role = policy.clusterRole(ref.getName());
      if (role.isEmpty()) {
        errors.add("clusterrole.rbac.authorization.k8s.io \"" + ref.getName() + "\" not found");
      }
      return role.map(r -> nonNull(r.getRules()));
    }
    if ("Role".equals(ref.getKind()) && !bindingNamespace.isEmpty()) {
      var role = policy.role(bindingNamespace, ref.getName());
      if (role.isEmpty()) {
        errors.add("role.rbac.authorization.k8s.io \"" + ref.getName() + "\" not found");
      }
      return role.map(r -> nonNull(r.getRules()));
    }
    return Optional.empty();
  }

  /** The first subject that names the user, one of its groups, or its ServiceAccount. */
  static Optional<Subject> appliesTo(User user, List<Subject> subjects, String bindingNamespace) {
    if (subjects == null) {
      return Optional.empty();
    }
    for (Subject s : subjects) {
      if (s == null || s.getName() == null) {
        continue;
      }
      boolean applies = switch (String.valueOf(s.getKind())) {
        case "User" -> s.getName().equals(user.name());
        case "Group" -> user.inGroup(s.getName());
        case "ServiceAccount" -> {
          // a RoleBinding may leave out the namespace of a ServiceAccount of its own namespace
          String ns = s.getNamespace() == null || s.getNamespace().isEmpty() ? bindingNamespace : s.getNamespace();
          yield !ns.isEmpty() && user.name().equals(User.serviceAccountName(ns, s.getName()));
        }
        default -> false;
      };
      if (applies) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** Whether one rule allows the request. */
  public static boolean allows(PolicyRule rule, RequestInfo request) {
    if (!matches(rule.getVerbs(), request.verb())) {
      return false;
    }
    if (!request.resourceRequest()) {
      return nonNull(rule.getNonResourceURLs()).stream().anyMatch(u -> urlMatches(u, request.path()));
    }
    return matches(rule.getApiGroups(), request.apiGroup())
        && resourceMatches(nonNull(rule.getResources()), request)
        && resourceNameMatches(nonNull(rule.getResourceNames()), request.name());
  }

  private static boolean matches(List<String> allowed, String value) {
    return allowed != null && (allowed.contains("*") || allowed.contains(value));
  }

  private static boolean resourceMatches(List<String> ruleResources, RequestInfo request) {
    String combined = request.resourceWithSubresource();
    for (String r : ruleResources) {
      if (r.equals("*") || r.equals(combined)
          || (!request.subresource().isEmpty() && r.equals("*/" + request.subresource()))) {
        return true;
      }
    }
    return false;
  }

  /** Rules with resourceNames never match a request without a name (list, watch, create, deletecollection). */
  private static boolean resourceNameMatches(List<String> names, String requested) {
    return names.isEmpty() || (!requested.isEmpty() && names.contains(requested));
  }

  private static boolean urlMatches(String rule, String path) {
    if (rule.equals("*") || rule.equals(path)) {
      return true;
    }
    return rule.endsWith("*") && path.startsWith(rule.substring(0, rule.length() - 1));
  }

  private static String describe(Subject s, String bindingNamespace) {
    if ("ServiceAccount".equals(s.getKind())) {
      String ns = s.getNamespace() == null || s.getNamespace().isEmpty() ? bindingNamespace : s.getNamespace();
      return "ServiceAccount \"" + s.getName() + "/" + ns + "\"";
    }
    return s.getKind() + " \"" + s.getName() + "\"";
  }

  private static <T> List<T> nonNull(List<T> list) {
    return list == null ? List.of() : list;
  }
}
