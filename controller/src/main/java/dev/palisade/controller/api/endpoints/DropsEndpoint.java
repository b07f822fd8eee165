package dev.palisade.controller.api.endpoints;

import dev.palisade.controller.api.ApiException;
import dev.palisade.controller.api.ApiRequest;
import dev.palisade.controller.api.ApiResponse;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.Router;
import dev.palisade.model.json.DropReportJson;

/**
 * {@code POST /v1/drops} (agents) and {@code GET /v1/drops} (viewers): what the dataplane dropped,
 * in, and the newest of it, out. As with flows, an agent reports its own node's drops only: the
 * Events and PolicyReports written from them name the node.
 */
public final class DropsEndpoint {
  /** The controller's drop intake, on its loop (each call waits for it). */
  public interface DropLog {
    void accept(DropReportJson.DropReport report);

    /** The newest drops as the page shows them, a JSON array. */
    String json();

    static DropLog of(java.util.function.Consumer<DropReportJson.DropReport> accept,
        java.util.function.Supplier<String> json) {
      return new DropLog() {
        @Override
        public void accept(DropReportJson.DropReport report) {
          accept.accept(report);
        }

        @Override
        public String json() {
          return json.get();
        }
      };
    }
  }

  private final DropLog drops;

  public DropsEndpoint(DropLog drops) {
    this.drops = drops;
  }

  public Router addTo(Router router) {
    return router
        .add("POST", "/v1/drops", Role.AGENT, this::post)
        .add("GET", "/v1/drops", Role.VIEWER, r -> ApiResponse.json(200, drops.json()));
  }

  private ApiResponse post(ApiRequest r) {
    DropReportJson.DropReport report;
    try {
      report = DropReportJson.read(r.body());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    if (!report.node().equals(r.caller().name())) {
      throw new ApiException(403, "agent " + r.caller().name() + " may only report drops of its own node");
    }
    drops.accept(report);
    return ApiResponse.json(200, "{\"accepted\":" + report.events().size() + "}");
  }
}
