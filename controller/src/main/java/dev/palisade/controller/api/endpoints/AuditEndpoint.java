package dev.palisade.controller.api.endpoints;

import dev.palisade.controller.api.ApiResponse;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.Router;
import dev.palisade.controller.api.ViewerReads;
import dev.palisade.model.crd.ReviewAuditSpec;
import java.util.List;
import java.util.concurrent.Callable;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /v1/audit} (viewers): every decision and every change the controller saw, oldest
 * first; a review lists its edges. The entries are copied on the loop and written here.
 */
public final class AuditEndpoint {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private final ViewerReads reads;
  private final Callable<List<ReviewAuditSpec>> entries;

  /** @param entries copies the log's entries; {@code reads} runs it on the controller's loop */
  public AuditEndpoint(ViewerReads reads, Callable<List<ReviewAuditSpec>> entries) {
    this.reads = reads;
    this.entries = entries;
  }

  public Router addTo(Router router) {
    return router.add("GET", "/v1/audit", Role.VIEWER,
        r -> ApiResponse.json(200, reads.answer("/v1/audit", entries, JSON::writeValueAsString)));
  }
}
