package dev.palisade.controller.api.endpoints;

import dev.palisade.controller.api.ApiRequest;
import dev.palisade.controller.api.ApiResponse;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.Router;
import dev.palisade.controller.api.ViewerReads;
import dev.palisade.controller.review.ModeDecisions;
import dev.palisade.controller.review.ModeRequest;
import dev.palisade.controller.review.ModeSettings;
import java.util.concurrent.Callable;

/**
 * Modes over HTTP. The body is read strictly ({@link ModeRequest}: only learn, monitor, enforce;
 * a workload as KIND/NAME) before anything reaches the decider, which runs on the controller's
 * loop ({@link ModeDecisions}: the target must exist, the audit entry first).
 *
 * <pre>
 *  GET  /v1/modes   viewer    the default and every SegmentationMode's setting
 *  POST /v1/mode    approver  {namespace, workload?: KIND/NAME, mode, id?}; 404 if the target does not exist
 * </pre>
 */
public final class ModeEndpoints {
  /** The controller's {@link ModeDecisions}, on its loop (the call waits for it). */
  @FunctionalInterface
  public interface Decider {
    ModeDecisions.Decided decide(Principal who, ModeRequest request);
  }

  private final ViewerReads reads;
  private final Callable<ModeSettings> settings;
  private final Decider decider;

  /** @param settings copies the settings; {@code reads} runs it on the controller's loop */
  public ModeEndpoints(ViewerReads reads, Callable<ModeSettings> settings, Decider decider) {
    this.reads = reads;
    this.settings = settings;
    this.decider = decider;
  }

  public Router addTo(Router router) {
    return router
        .add("GET", "/v1/modes", Role.VIEWER,
            r -> ApiResponse.json(200, reads.answer("/v1/modes", settings, ModeSettings::json)))
        .add("POST", "/v1/mode", Role.APPROVER, this::post);
  }

  private ApiResponse post(ApiRequest r) {
    ModeRequest req = ModeRequest.read(r.body());
    return ApiResponse.json(200, decider.decide(r.caller(), req).json());
  }
}
