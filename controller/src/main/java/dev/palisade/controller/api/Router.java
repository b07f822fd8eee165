package dev.palisade.controller.api;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Maps (method, path) to an endpoint and the role it requires. Paths are exact or end in
 * {@code /*} for a prefix. Built once at start-up, read by many event-loop threads.
 */
public final class Router {
  /** Handles one request; throws {@link ApiException} for a refusal. */
  @FunctionalInterface
  public interface Endpoint {
    ApiResponse handle(ApiRequest request);
  }

  record Route(String method, String path, Role role, Endpoint endpoint) {
    boolean matches(String m, String p) {
      if (!method.equals(m)) return false;
      return path.endsWith("/*") ? p.startsWith(path.substring(0, path.length() - 1)) : path.equals(p);
    }

    boolean pathMatches(String p) {
      return path.endsWith("/*") ? p.startsWith(path.substring(0, path.length() - 1)) : path.equals(p);
    }
  }

  private static final Pattern METHOD = Pattern.compile("GET|POST|PUT|DELETE|PATCH");
  private final List<Route> routes = new ArrayList<>();

  public Router add(String method, String path, Role role, Endpoint endpoint) {
    if (!METHOD.matcher(method).matches()) {
      throw new IllegalArgumentException("unknown HTTP method " + method);
    }
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("route path must start with /: " + path);
    }
    routes.add(new Route(method, path, role, endpoint));
    return this;
  }

  /**
   * The route's path pattern for a metric label ("/v1/flows", "/assets/*"), never the raw path, so
   * scanners cannot grow the label set; "unmatched" for a path no route has.
   */
  public String label(String method, String path) {
    Route any = null;
    for (Route r : routes) {
      if (r.matches(method, path)) {
        return r.path();
      }
      if (any == null && r.pathMatches(path)) {
        any = r;
      }
    }
    return any != null ? any.path() : "unmatched";
  }

  /** The route for the request, or an ApiException 404/405. */
  Route find(String method, String path) {
    boolean pathKnown = false;
    for (Route r : routes) {
      if (r.matches(method, path)) {
        return r;
      }
      pathKnown |= r.pathMatches(path);
    }
    throw pathKnown ? new ApiException(405, "method " + method + " not allowed on " + path)
        : ApiException.notFound("no such endpoint: " + path);
  }
}
