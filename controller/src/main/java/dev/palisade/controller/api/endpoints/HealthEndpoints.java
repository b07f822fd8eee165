package dev.palisade.controller.api.endpoints;

import dev.palisade.controller.api.ApiResponse;
import dev.palisade.controller.api.Router;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * {@code /healthz}, {@code /healthz/live}, {@code /healthz/ready}: for kubelet probes, which carry
 * no token, so these are the routes without a role. Live while the process answers; ready (in the
 * Service's endpoints) once the controller has synced, so no agent reaches a controller that would
 * answer from an empty graph.
 */
public final class HealthEndpoints {
  /** The paths anyone may GET without a token. */
  public static final Predicate<String> PATHS =
      p -> p.equals("/healthz") || p.equals("/healthz/live") || p.equals("/healthz/ready");

  private final BooleanSupplier ready;

  public HealthEndpoints(BooleanSupplier ready) {
    this.ready = ready;
  }

  public Router addTo(Router router) {
    return router
        .add("GET", "/healthz", null, r -> ApiResponse.json(200, "{\"ready\":" + ready.getAsBoolean() + "}"))
        .add("GET", "/healthz/live", null, r -> ApiResponse.json(200, "{\"live\":true}"))
        .add("GET", "/healthz/ready", null, r -> {
          boolean now = ready.getAsBoolean(); // read once: the status and the body must agree
          return ApiResponse.json(now ? 200 : 503, "{\"ready\":" + now + "}");
        });
  }
}
