package dev.palisade.controller.api.endpoints;

import dev.palisade.controller.api.ApiException;
import dev.palisade.controller.api.ApiRequest;
import dev.palisade.controller.api.ApiResponse;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.Router;
import dev.palisade.controller.api.ViewerReads;
import dev.palisade.controller.events.DropIntake;
import dev.palisade.model.json.DropReportJson;

/**
 * {@code POST /v1/drops} (agents) and {@code GET /v1/drops} (viewers): what the dataplane dropped,
 * in, and the newest of it, out. As with flows, an agent reports its own node's drops only: the
 * Events and PolicyReports written from them name the node. A viewer's read takes a copy of the
 * newest drops on the controller's loop and writes their JSON off it ({@link ViewerReads}).
 */
public final class DropsEndpoint {
  /** The controller's drop intake. */
  public interface DropLog {
    /** Takes an agent's report on the controller's loop, and waits for it. */
    void accept(DropReportJson.DropReport report);

    /** A copy of the newest drops; called on the controller's loop (the endpoint's reads run it there). */
    DropIntake.Recent recent();

    static DropLog of(java.util.function.Consumer<DropReportJson.DropReport> accept,
        java.util.function.Supplier<DropIntake.Recent> recent) {
      return new DropLog() {
        @Override
        public void accept(DropReportJson.DropReport report) {
          accept.accept(report);
        }

        @Override
        public DropIntake.Recent recent() {
          return recent.get();
        }
      };
    }
  }

  private final DropLog drops;
  private final ViewerReads reads;

  public DropsEndpoint(DropLog drops, ViewerReads reads) {
    this.drops = drops;
    this.reads = reads;
  }

  public Router addTo(Router router) {
    return router
        .add("POST", "/v1/drops", Role.AGENT, this::post)
        .add("GET", "/v1/drops", Role.VIEWER,
            r -> ApiResponse.json(200, reads.answer("/v1/drops", drops::recent, DropIntake.Recent::json)));
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
