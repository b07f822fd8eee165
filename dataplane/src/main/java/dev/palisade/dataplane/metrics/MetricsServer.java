package dev.palisade.dataplane.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * A process's metrics port: {@code /metrics} in Prometheus text format (the library's exporter,
 * not hand-written exposition) and the kubelet's probes {@code /healthz/live} (the process
 * answers) and {@code /healthz/ready} (200 once {@code ready} says so, 503 before). A port of its
 * own, apart from any API: scrapes and probes carry no token, and a busy API never fails a probe.
 * Used by the agent and the controller alike.
 */
public final class MetricsServer implements AutoCloseable {
  private final HTTPServer server;

  private MetricsServer(HTTPServer server) {
    this.server = server;
  }

  /**
   * Serves {@code registry}, with the JVM's and the process's collectors added to it, on
   * host:port (port 0: any free port, see {@link #port()}).
   */
  public static MetricsServer start(String host, int port, PrometheusRegistry registry, BooleanSupplier ready) {
    addJvmAndProcess(registry);
    try {
      return new MetricsServer(HTTPServer.builder().hostname(host).port(port).registry(registry)
          .metricsHandlerPath("/metrics").registerHealthHandler(false).defaultHandler(new Health(ready))
          .buildAndStart());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve metrics on " + host + ":" + port + ": " + e.getMessage(), e);
    }
  }

  /** The JVM's and the process's collectors (jvm_*, process_*), added to {@code registry} once. */
  public static PrometheusRegistry addJvmAndProcess(PrometheusRegistry registry) {
    JvmMetrics.builder().register(registry); // the library keeps it to once per registry
    return registry;
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.close();
  }

  /** Everything but /metrics: the two probes, 404 for the rest. */
  private record Health(BooleanSupplier ready) implements HttpHandler {
    @Override
    public void handle(HttpExchange ex) throws IOException {
      try (ex) {
        String path = ex.getRequestURI().getPath();
        if (path.equals("/healthz/live")) {
          send(ex, 200, "{\"live\":true}");
        } else if (path.equals("/healthz/ready")) {
          boolean r = ready.getAsBoolean();
          send(ex, r ? 200 : 503, "{\"ready\":" + r + "}");
        } else {
          send(ex, 404, "{\"error\":\"no such endpoint: " + path.replace("\"", "") + " (/metrics, /healthz/live, "
              + "/healthz/ready)\"}");
        }
      }
    }

    private static void send(HttpExchange ex, int status, String json) throws IOException {
      byte[] body = json.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(status, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
