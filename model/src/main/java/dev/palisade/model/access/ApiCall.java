package dev.palisade.model.access;

import java.util.Arrays;
import java.util.List;

/**
 * One request to the Kubernetes API as RBAC judges it: a verb on a group's resource (or one of its
 * subresources), in a namespace or cluster-wide. Tests record the HTTP requests a component makes
 * and turn each into an ApiCall with {@link #of} to check it against the component's
 * {@link KubeAccess}.
 *
 * @param group the API group, "" for the core group
 * @param subresource null for the resource itself, else e.g. "status"
 * @param namespace null for a cluster-scoped resource or a request across all namespaces
 */
public record ApiCall(String verb, String group, String resource, String subresource, String namespace) {
  public ApiCall {
    if (!AccessRule.VERBS.contains(verb)) {
      throw new IllegalArgumentException("verb '" + verb + "' is none of " + AccessRule.VERBS);
    }
  }

  /**
   * The call an HTTP request stands for, as the API server's request-info resolver reads it:
   * GET on a name is get, on a collection list, or watch with {@code watch=true}; POST create, PUT
   * update, PATCH patch, DELETE delete (deletecollection without a name).
   *
   * @param pathAndQuery e.g. {@code /apis/apps/v1/namespaces/shop/replicasets?watch=true}
   */
  public static ApiCall of(String method, String pathAndQuery) {
    int q = pathAndQuery.indexOf('?');
    String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    String query = q < 0 ? "" : pathAndQuery.substring(q + 1);
    List<String> parts = Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
    String group;
    List<String> rest;
    if (parts.size() >= 3 && parts.get(0).equals("api")) {
      group = "";
      rest = parts.subList(2, parts.size());
    } else if (parts.size() >= 4 && parts.get(0).equals("apis")) {
      group = parts.get(1);
      rest = parts.subList(3, parts.size());
    } else {
      throw new IllegalArgumentException(method + " " + pathAndQuery + " is not a resource request (/api/v1/... or "
          + "/apis/GROUP/VERSION/...)");
    }
    String namespace = null;
    // /api/v1/namespaces/NAME is the namespace itself; /api/v1/namespaces/NS/pods a pod collection in it
    if (rest.get(0).equals("namespaces") && rest.size() >= 3) {
      namespace = rest.get(1);
      rest = rest.subList(2, rest.size());
    }
    String resource = rest.get(0);
    String name = rest.size() > 1 ? rest.get(1) : null;
    String subresource = rest.size() > 2 ? rest.get(2) : null;
    boolean watch = Arrays.stream(query.split("&")).anyMatch(p -> p.equals("watch=true") || p.equals("watch=1"));
    String verb = switch (method.toUpperCase(java.util.Locale.ROOT)) {
      case "GET" -> name != null ? "get" : watch ? "watch" : "list";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> name != null ? "delete" : "deletecollection";
      default -> throw new IllegalArgumentException("no RBAC verb for " + method + " " + pathAndQuery);
    };
    return new ApiCall(verb, group, resource, subresource, namespace);
  }

  /** group/resource[/subresource], "core" for the core group: {@code apps/replicasets}, {@code core/pods}. */
  public String target() {
    return (group.isEmpty() ? "core" : group) + "/" + resource + (subresource == null ? "" : "/" + subresource);
  }

  @Override
  public String toString() {
    return verb + " " + target() + (namespace == null ? "" : " in " + namespace);
  }
}
