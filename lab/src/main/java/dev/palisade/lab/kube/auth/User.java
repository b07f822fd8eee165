package dev.palisade.lab.kube.auth;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Who a request is from, as kube-apiserver's authenticators describe a user: a name, a uid, groups
 * and extra attributes (bound ServiceAccount tokens carry the pod and node there). RBAC matches
 * subjects against the name and the groups only.
 */
public record User(String name, String uid, List<String> groups, Map<String, List<String>> extra) {
  /** Members may do everything; kube-apiserver never asks RBAC about them. */
  public static final String MASTERS = "system:masters";
  public static final String AUTHENTICATED = "system:authenticated";
  public static final String UNAUTHENTICATED = "system:unauthenticated";
  public static final String ANONYMOUS = "system:anonymous";
  static final String SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

  public User {
    // empty only in a SubjectAccessReview that asks about groups alone
    Objects.requireNonNull(name, "user name");
    uid = uid == null ? "" : uid;
    groups = List.copyOf(groups);
    extra = Map.copyOf(extra);
  }

  public static User of(String name, String... groups) {
    return new User(name, "", List.of(groups), Map.of());
  }

  /** {@code system:serviceaccount:NS:NAME}, the user name Kubernetes gives a ServiceAccount. */
  public static String serviceAccountName(String namespace, String name) {
    return SERVICE_ACCOUNT_PREFIX + namespace + ":" + name;
  }

  /** The groups Kubernetes gives every ServiceAccount of a namespace. */
  public static List<String> serviceAccountGroups(String namespace) {
    return List.of("system:serviceaccounts", "system:serviceaccounts:" + namespace);
  }

  public boolean inGroup(String group) {
    return groups.contains(group);
  }
}
