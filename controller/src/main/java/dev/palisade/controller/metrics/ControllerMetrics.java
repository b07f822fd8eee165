package dev.palisade.controller.metrics;

import dev.palisade.controller.api.ApiHandler;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The controller's Prometheus families ({@code palisade_controller_*}), in a registry of its own.
 * It outlives any one {@code PalisadeController}: with leader election the metrics port serves from
 * the start, and the controller of a leadership term {@linkplain #attach attaches} what is read at
 * scrape time (graph edges, AllowList revision). API requests, refused flow reports and
 * authentication failures are seen at the API's one door ({@link ApiHandler.Observer}); the rest
 * are one-line hooks where the controller ingests, decides and publishes.
 */
public final class ControllerMetrics implements ApiHandler.Observer {
  /** What is read from the controller of the current term when scraped; its calls wait for its event thread. */
  public interface Source {
    /** [status, class] -> number of edges. */
    Map<List<String>, Long> edgeCounts();

    long revision();

    static Source of(java.util.function.Supplier<Map<List<String>, Long>> edgeCounts,
        java.util.function.LongSupplier revision) {
      return new Source() {
        @Override
        public Map<List<String>, Long> edgeCounts() {
          return edgeCounts.get();
        }

        @Override
        public long revision() {
          return revision.getAsLong();
        }
      };
    }
  }

  static final String FLOWS_ROUTE = "/v1/flows";
  private static final double[] PUBLISH_BUCKETS = {.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30};

  private final PrometheusRegistry registry;
  private final Counter ingested;
  private final Counter refused;
  private final Counter decisions;
  private final Histogram publish;
  private final Counter requests;
  private final Counter authFailures;
  private final Gauge leader;
  private final Counter recordsRefused;
  private volatile Source source;

  public ControllerMetrics() {
    this(new PrometheusRegistry());
  }

  public ControllerMetrics(PrometheusRegistry registry) {
    this.registry = registry;
    ingested = Counter.builder().name("palisade_controller_flow_records_ingested_total")
        .help("Flow records from agents added to the graph").register(registry);
    refused = Counter.builder().name("palisade_controller_flow_reports_refused_total")
        .help("Flow reports refused whole, by reason (malformed, unauthenticated, forbidden: not an agent or not its node; busy)")
        .labelNames("reason").register(registry);
    recordsRefused = Counter.builder().name("palisade_controller_flow_records_refused_total")
        .help("Flow records of accepted reports that were not learned from, by reason (not-local, wrong-identity, "
            + "future, stale, implausible-count): what a poisoned or broken agent sends")
        .labelNames("reason").register(registry);
    decisions = Counter.builder().name("palisade_controller_decisions_total")
        .help("Edges given a status by a review decision, by action (approved, rejected, learned)")
        .labelNames("action").register(registry);
    publish = Histogram.builder().name("palisade_controller_publish_duration_seconds")
        .help("Time to compile and write the AllowLists of one new revision").classicOnly()
        .classicUpperBounds(PUBLISH_BUCKETS).register(registry);
    requests = Counter.builder().name("palisade_controller_api_requests_total")
        .help("API requests answered, by route (its pattern, not the raw path) and status code")
        .labelNames("route", "code").register(registry);
    authFailures = Counter.builder().name("palisade_controller_authentication_failures_total")
        .help("API requests refused for a missing or invalid bearer token").register(registry);
    leader = Gauge.builder().name("palisade_controller_leader")
        .help("1 while this replica holds the Lease (always 1 without leader election)").register(registry);
    GaugeWithCallback.builder().name("palisade_controller_graph_edges")
        .help("Edges of the flow graph, by status and class (service, probe, dns)").labelNames("status", "class")
        .callback(cb -> {
          Source s = source;
          if (s != null) {
            read(s::edgeCounts, Map.<List<String>, Long>of()).forEach((k, n) -> cb.call(n, k.get(0), k.get(1)));
          }
        }).register(registry);
    GaugeWithCallback.builder().name("palisade_controller_allowlist_revision")
        .help("The revision of the newest published AllowLists").callback(cb -> {
          Source s = source;
          if (s != null) {
            Long r = read(s::revision, null);
            if (r != null) {
              cb.call(r);
            }
          }
        }).register(registry);
    for (String reason : List.of("malformed", "unauthenticated", "forbidden")) {
      refused.labelValues(reason); // present at 0, so a rate() over a quiet controller is 0, not absent
    }
    authFailures.inc(0);
  }

  /** A busy or closing controller leaves its gauges out of this scrape rather than failing all of it. */
  private static <T> T read(java.util.function.Supplier<T> value, T otherwise) {
    try {
      return value.get();
    } catch (RuntimeException e) {
      return otherwise;
    }
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  /** The controller of this term: read from when scraped. */
  public void attach(Source s) {
    this.source = s;
  }

  public void leader(boolean leads) {
    leader.set(leads ? 1 : 0);
  }

  /** Records of a report refused one by one ({@code reason} as FlowVetting labels it). */
  public void onFlowRecordsRefused(String reason, int records) {
    recordsRefused.labelValues(reason).inc(records);
  }

  public void onFlowsIngested(int records) {
    ingested.inc(records);
  }

  /** A review decision gave {@code edges} edges this status. */
  public void onDecision(Enum<?> status, int edges) {
    decisions.labelValues(status.name().toLowerCase(Locale.ROOT)).inc(edges);
  }

  public void onPublished(long nanos) {
    publish.observe(nanos / 1e9);
  }

  @Override
  public void answered(String method, String route, int status) {
    requests.labelValues(method + " " + route, Integer.toString(status)).inc();
    if (status == 401) {
      authFailures.inc();
    }
    if (method.equals("POST") && route.equals(FLOWS_ROUTE) && status != 200) {
      refused.labelValues(refusal(status)).inc();
    }
  }

  /** Why a flow report was refused, from the status the API answered it with. Pure. */
  static String refusal(int status) {
    return switch (status) {
      case 400, 413 -> "malformed";
      case 401 -> "unauthenticated";
      case 403 -> "forbidden";
      case 503 -> "busy";
      default -> "status_" + status;
    };
  }
}
