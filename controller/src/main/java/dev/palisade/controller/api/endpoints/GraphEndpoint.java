package dev.palisade.controller.api.endpoints;

import dev.palisade.controller.api.ApiResponse;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.Router;
import dev.palisade.controller.api.ViewerReads;
import dev.palisade.controller.review.GraphJson;
import java.util.concurrent.Callable;

/**
 * {@code GET /v1/graph} (viewers): every edge with the status in force. The snapshot is taken on
 * the controller's loop (the overlays are its state), its edges in no order; they are sorted and
 * written as JSON here, on the endpoint's thread, so a big graph's answer does not hold up the
 * agents' flow reports (issue 17).
 */
public final class GraphEndpoint {
  private final ViewerReads reads;
  private final Callable<GraphJson.Snapshot> snapshot;

  /** @param snapshot takes the graph's snapshot; {@code reads} runs it on the controller's loop */
  public GraphEndpoint(ViewerReads reads, Callable<GraphJson.Snapshot> snapshot) {
    this.reads = reads;
    this.snapshot = snapshot;
  }

  public Router addTo(Router router) {
    return router.add("GET", "/v1/graph", Role.VIEWER,
        r -> ApiResponse.json(200, reads.answer("/v1/graph", snapshot, GraphJson::render)));
  }
}
