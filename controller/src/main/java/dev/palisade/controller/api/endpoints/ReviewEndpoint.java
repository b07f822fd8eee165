package dev.palisade.controller.api.endpoints;

import dev.palisade.controller.api.ApiRequest;
import dev.palisade.controller.api.ApiResponse;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.Router;
import dev.palisade.controller.metrics.ControllerMetrics;
import dev.palisade.controller.review.EdgeDecisions;
import dev.palisade.controller.review.ReviewRequest;

/**
 * {@code POST /v1/review} (approvers): approve, reject or reset edges. The body is read strictly
 * ({@link ReviewRequest}: a missing or misspelt {@code only} is refused, never taken as "every
 * edge") before anything reaches the decider; which namespaces the approver may decide in is
 * checked by the decider, which knows the edges.
 */
public final class ReviewEndpoint {
  /** The controller's {@link EdgeDecisions}, on its loop at the current revision (the call waits for it). */
  @FunctionalInterface
  public interface Decider {
    EdgeDecisions.Outcome decide(Principal who, ReviewRequest request);
  }

  private final Decider decider;
  private final ControllerMetrics metrics;

  public ReviewEndpoint(Decider decider, ControllerMetrics metrics) {
    this.decider = decider;
    this.metrics = metrics;
  }

  public Router addTo(Router router) {
    return router.add("POST", "/v1/review", Role.APPROVER, this::post);
  }

  private ApiResponse post(ApiRequest r) {
    ReviewRequest req = ReviewRequest.read(r.body());
    EdgeDecisions.Outcome outcome = decider.decide(r.caller(), req);
    if (!outcome.repeated()) {
      metrics.onDecision(req.status(), outcome.changed()); // a retried request is one decision, counted once
    }
    return ApiResponse.json(200, outcome.json());
  }
}
