package dev.palisade.dataplane.flow;

import dev.palisade.dataplane.tls.ControllerTrust;
import dev.palisade.model.FlowReport;
import dev.palisade.model.json.FlowReportJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Posts reports to the controller's {@code /v1/flows} with the agent's bearer token, trusting the
 * controller's certificate as {@link ControllerTrust} says.
 */
public final class HttpFlowSink implements FlowSink {
  private final HttpClient http;
  private final URI uri;
  private final URI drops;
  private final String token;

  public HttpFlowSink(String controllerUrl, String token, ControllerTrust trust) {
    this(controllerUrl, token, client(controllerUrl, trust));
  }

  /** With a client already made for this controller (one per agent, kept across token renewals). */
  public HttpFlowSink(String controllerUrl, String token, HttpClient http) {
    this.http = http;
    this.uri = URI.create(controllerUrl.replaceAll("/$", "") + "/v1/flows");
    this.token = token;
    this.drops = URI.create(controllerUrl.replaceAll("/$", "") + "/v1/drops");
  }

  /** The client an agent reports with: short connect timeout, the controller's trust. */
  public static HttpClient client(String controllerUrl, ControllerTrust trust) {
    return trust.builder(controllerUrl).connectTimeout(Duration.ofSeconds(2)).build();
  }

  @Override
  public void sendDrops(String node, java.util.List<dev.palisade.model.DropEvent> events) {
    post(drops, dev.palisade.model.json.DropReportJson.write(node, events), "drop report");
  }

  private void post(URI target, String body, String what) {
    HttpRequest req = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    try {
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("controller refused the " + what + ": " + r.statusCode() + " " + r.body());
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot reach the controller at " + target + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted sending a " + what, e);
    }
  }

  @Override
  public void send(FlowReport report) {
    HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(FlowReportJson.write(report))).build();
    try {
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("controller refused flow report " + report.sequence() + ": " + r.statusCode()
            + " " + r.body());
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot reach the controller at " + uri + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted sending flows", e);
    }
  }
}
