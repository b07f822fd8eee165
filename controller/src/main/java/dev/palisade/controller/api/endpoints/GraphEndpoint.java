package dev.palisade.controller.api.endpoints;

import dev.palisade.controller.api.ApiResponse;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.Router;
import dev.palisade.controller.review.GraphJson;
import java.util.function.Supplier;

/**
 * {@code GET /v1/graph} (viewers): every edge with the status in force. The snapshot is taken on
 * the controller's loop (the overlays are its state) and written as JSON here, on the endpoint's
 * thread, so a big graph's JSON does not hold up the agents' flow reports.
 */
public final class GraphEndpoint {
  private final Supplier<GraphJson.Snapshot> snapshots;

  /** @param snapshots takes the graph's snapshot on the controller's loop and waits for it */
  public GraphEndpoint(Supplier<GraphJson.Snapshot> snapshots) {
    this.snapshots = snapshots;
  }

  public Router addTo(Router router) {
    return router.add("GET", "/v1/graph", Role.VIEWER, r -> ApiResponse.json(200, GraphJson.render(snapshots.get())));
  }
}
