package dev.palisade.controller.api.endpoints;

import dev.palisade.controller.api.ApiResponse;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.Router;
import java.util.function.Supplier;

/** {@code GET /v1/status} (viewers): whether the controller is ready, and how much it holds. */
public final class StatusEndpoint {
  /**
   * The controller's figures, read together on its loop so they agree with each other.
   *
   * @param refusedFlowRecords refused records by reason, as the members' text of a JSON object
   *     ({@code {"stale":2}})
   */
  public record Status(boolean ready, long revision, int identities, int edges, String refusedFlowRecords) {}

  private final Supplier<Status> status;

  /** @param status read on the controller's loop; the call waits for it */
  public StatusEndpoint(Supplier<Status> status) {
    this.status = status;
  }

  public Router addTo(Router router) {
    return router.add("GET", "/v1/status", Role.VIEWER, r -> ApiResponse.json(200, json(status.get())));
  }

  static String json(Status s) {
    return "{\"ready\":" + s.ready() + ",\"revision\":" + s.revision() + ",\"identities\":" + s.identities()
        + ",\"edges\":" + s.edges() + ",\"refusedFlowRecords\":" + s.refusedFlowRecords() + "}";
  }
}
