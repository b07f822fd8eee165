package dev.palisade.lab.kube.auth;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What a request asks to do, in the terms RBAC judges: a verb on a resource (group, resource,
 * subresource, namespace, name) or on a non-resource path. Parsed from the method and the request
 * target the way kube-apiserver's RequestInfoFactory does (k8s.io/apiserver
 * pkg/endpoints/request/requestinfo.go), so that rules written for a cluster mean the same here:
 * GET on a collection is list, or watch with {@code watch=true|1}; DELETE on a collection is
 * deletecollection; a collection GET with {@code fieldSelector=metadata.name=X} names X.
 *
 * @param path the path without the query, for non-resource requests and messages
 * @param namespace empty for cluster-scoped requests and for requests across all namespaces
 */
public record RequestInfo(boolean resourceRequest, String path, String verb, String apiGroup, String apiVersion,
    String resource, String subresource, String namespace, String name) {
  private static final Set<String> SPECIAL_VERBS = Set.of("proxy", "watch");
  /** Subresources of a namespace itself (/api/v1/namespaces/NS/status), not resources inside it. */
  private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");

  public RequestInfo {
    if (verb == null || verb.isEmpty()) {
      throw new IllegalArgumentException("a request needs a verb: " + path);
    }
    apiGroup = apiGroup == null ? "" : apiGroup;
    apiVersion = apiVersion == null ? "" : apiVersion;
    resource = resource == null ? "" : resource;
    subresource = subresource == null ? "" : subresource;
    namespace = namespace == null ? "" : namespace;
    name = name == null ? "" : name;
  }

  /** A resource request, as a SubjectAccessReview's resourceAttributes states one. */
  public static RequestInfo resource(String verb, String apiGroup, String resource, String subresource,
      String namespace, String name) {
    return new RequestInfo(true, "", verb, apiGroup, "", resource, subresource, namespace, name);
  }

  /** A non-resource request (/version, /healthz, /apis). */
  public static RequestInfo nonResource(String verb, String path) {
    return new RequestInfo(false, path, verb, "", "", "", "", "", "");
  }

  /** {@code resource} or {@code resource/subresource}, the form RBAC rules name. */
  public String resourceWithSubresource() {
    return subresource.isEmpty() ? resource : resource + "/" + subresource;
  }

  /**
   * Parses a request as kube-apiserver would.
   *
   * @param method the HTTP method (GET, POST, ...)
   * @param target the request target: path and optional query
   */
  public static RequestInfo parse(String method, String target) {
    int q = target.indexOf('?');
    String path = q < 0 ? target : target.substring(0, q);
    String query = q < 0 ? "" : target.substring(q + 1);
    String nonResourceVerb = method.toLowerCase(Locale.ROOT);
    List<String> parts = split(path);
    if (parts.size() < 3 || !(parts.get(0).equals("api") || parts.get(0).equals("apis"))) {
      return nonResource(nonResourceVerb, path);
    }
    String prefix = parts.get(0);
    List<String> rest = parts.subList(1, parts.size());
    String group = "";
    if (prefix.equals("apis")) {
      if (rest.size() < 3) {
        // /apis/GROUP/VERSION is discovery, not a resource
        return nonResource(nonResourceVerb, path);
      }
      group = rest.get(0);
      rest = rest.subList(1, rest.size());
    }
    String version = rest.get(0);
    rest = rest.subList(1, rest.size());
    String verb;
    if (SPECIAL_VERBS.contains(rest.get(0))) {
      if (rest.size() < 2) {
        return nonResource(nonResourceVerb, path);
      }
      verb = rest.get(0);
      rest = rest.subList(1, rest.size());
    } else {
      verb = switch (method.toUpperCase(Locale.ROOT)) {
        case "POST" -> "create";
        case "GET", "HEAD" -> "get";
        case "PUT" -> "update";
        case "PATCH" -> "patch";
        case "DELETE" -> "delete";
        default -> "";
      };
      if (verb.isEmpty()) {
        return nonResource(nonResourceVerb, path);
      }
    }
    String namespace = "";
    if (rest.get(0).equals("namespaces") && rest.size() > 1) {
      namespace = rest.get(1);
      if (rest.size() > 2 && !NAMESPACE_SUBRESOURCES.contains(rest.get(2))) {
        rest = rest.subList(2, rest.size());
      }
    }
    String resource = rest.get(0);
    String name = rest.size() >= 2 ? rest.get(1) : "";
    String subresource = rest.size() >= 3 && !verb.equals("proxy") ? rest.get(2) : "";
    if (name.isEmpty() && verb.equals("get")) {
      verb = isTrue(param(query, "watch").orElse("")) ? "watch" : "list";
      name = param(query, "fieldSelector").flatMap(RequestInfo::exactName).orElse("");
    }
    if (name.isEmpty() && verb.equals("delete")) {
      verb = "deletecollection";
    }
    return new RequestInfo(true, path, verb, group, version, resource, subresource, namespace, name);
  }

  private static List<String> split(String path) {
    List<String> parts = new ArrayList<>(Arrays.asList(path.replaceAll("^/+|/+$", "").split("/")));
    parts.removeIf(String::isEmpty);
    return parts;
  }

  private static Optional<String> param(String query, String key) {
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      if (decode(k).equals(key)) {
        return Optional.of(eq < 0 ? "" : decode(pair.substring(eq + 1)));
      }
    }
    return Optional.empty();
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /** Go's strconv.ParseBool, which kube-apiserver uses for {@code watch}. */
  private static boolean isTrue(String value) {
    return Set.of("1", "t", "T", "true", "TRUE", "True").contains(value);
  }

  /** The name a field selector requires exactly ({@code metadata.name=X} or {@code ==X}), if any. */
  private static Optional<String> exactName(String selector) {
    for (String term : selector.split(",")) {
      String t = term.trim();
      for (String op : List.of("==", "=")) {
        if (t.startsWith("metadata.name" + op)) {
          String value = t.substring(("metadata.name" + op).length());
          if (!value.isEmpty() && !value.startsWith("=") && !value.contains("/")) {
            return Optional.of(value);
          }
        }
      }
    }
    return Optional.empty();
  }
}
