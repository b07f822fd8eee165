package dev.palisade.controller.api.endpoints;

import dev.palisade.controller.api.ApiException;
import dev.palisade.controller.api.ApiRequest;
import dev.palisade.controller.api.ApiResponse;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.Router;
import dev.palisade.controller.ingest.FlowIntake;
import dev.palisade.controller.ingest.FlowVetting;
import dev.palisade.controller.metrics.ControllerMetrics;
import dev.palisade.model.FlowReport;
import dev.palisade.model.json.FlowReportJson;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/flows} (agents): one node's flow report into the graph. An agent speaks for its
 * own node only, because the vetting that follows trusts the report's node to say where the source
 * pods run; a report for another node is refused before it reaches the graph.
 *
 * <pre>
 *  body -> FlowReportJson (400 naming the field) -> node == caller? (403) -> FlowSink -> {accepted, refused, newEdges}
 * </pre>
 */
public final class FlowsEndpoint {
  private static final Logger LOG = LoggerFactory.getLogger(FlowsEndpoint.class);

  /** Where a parsed report goes: the controller's flow intake, on its loop (the call waits for it). */
  @FunctionalInterface
  public interface FlowSink {
    FlowIntake.Ingested ingest(FlowReport report, long nowMillis);
  }

  private final FlowSink sink;
  private final ControllerMetrics metrics;
  private final LongSupplier clock;

  /** @param clock milliseconds since the epoch, what the records' times are vetted against */
  public FlowsEndpoint(FlowSink sink, ControllerMetrics metrics, LongSupplier clock) {
    this.sink = sink;
    this.metrics = metrics;
    this.clock = clock;
  }

  public Router addTo(Router router) {
    return router.add("POST", "/v1/flows", Role.AGENT, this::post);
  }

  private ApiResponse post(ApiRequest r) {
    FlowReport report;
    try {
      report = FlowReportJson.read(r.body());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    if (!report.node().equals(r.caller().name())) {
      throw new ApiException(403, "agent " + r.caller().name() + " may only report flows of its own node, not "
          + report.node());
    }
    FlowIntake.Ingested in = sink.ingest(report, clock.getAsLong());
    FlowVetting.Verdict vetted = in.verdict();
    metrics.onFlowsIngested(vetted.accepted().size());
    vetted.refused().forEach((why, n) -> metrics.onFlowRecordsRefused(why.label(), n));
    if (vetted.refusedCount() > 0) {
      LOG.warn("agent {}: {} of {} flow record(s) refused: {}", report.node(), vetted.refusedCount(),
          report.flows().size(), vetted.refused().entrySet().stream()
              .map(e -> e.getValue() + " " + e.getKey().text()).collect(Collectors.joining("; ")));
    }
    return ApiResponse.json(200, "{\"accepted\":" + vetted.accepted().size() + ",\"refused\":"
        + vetted.refusedCount() + ",\"newEdges\":" + in.newEdges() + "}");
  }
}
