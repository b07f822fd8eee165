package dev.palisade.lab.cluster;

import dev.palisade.lab.scenario.Scenario.Step;
import dev.palisade.lab.scenario.ScenarioException;
import dev.palisade.lab.scenario.ScenarioTarget.UnsupportedStepException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The approve-learned and reject-learned steps: decides learned edges through the controller's HTTP
 * API, as the review page does.
 */
final class LearnedEdgeReview {
  private final Lab lab;
  /** The scenario's outside, or null. */
  private final LabOutside outside;

  LearnedEdgeReview(Lab lab, LabOutside outside) {
    this.lab = lab;
    this.outside = outside;
  }

  /** Sets {@code status} ("approved" or "rejected") on the step's edges, or on every edge without 'only'. */
  void review(Step step, String status) {
    LabPalisade p = lab.palisade().orElseThrow(() -> new UnsupportedStepException(step.describe()
        + ": this lab runs without Palisade"));
    p.flushFlows(Duration.ofSeconds(10));
    StringBuilder body = new StringBuilder("{\"status\":\"" + status + "\"");
    Object only = step.fields().get("only");
    if (only == null) {
      body.append(",\"all\":true"); // the controller decides every edge only when told so explicitly
    } else {
      if (!(only instanceof List<?> list)) {
        throw new ScenarioException(step.describe() + ": only must be a list of {from, to, port, protocol}");
      }
      body.append(",\"only\":[");
      boolean first = true;
      for (Object o : list) {
        if (!(o instanceof Map<?, ?> e)) {
          throw new ScenarioException(step.describe() + ": each 'only' entry must be a mapping");
        }
        body.append(first ? "" : ",").append("{\"from\":\"").append(vertex(step, e.get("from")))
            .append("\",\"to\":\"").append(vertex(step, e.get("to"))).append("\",\"port\":")
            .append(Integer.parseInt(String.valueOf(e.get("port")))).append(",\"protocol\":\"")
            .append(e.containsKey("protocol") ? e.get("protocol") : "TCP").append("\"}");
        first = false;
      }
      body.append("]");
    }
    body.append("}");
    try {
      HttpResponse<String> r = p.httpClient().send(HttpRequest.newBuilder(URI.create(p.url() + "/v1/review"))
          .header("Authorization", "Bearer " + p.approverToken())
          .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new ScenarioException(step.describe() + ": the controller refused the review: " + r.statusCode() + " "
            + r.body());
      }
    } catch (java.io.IOException e) {
      throw new ScenarioException(step.describe() + ": cannot reach the controller: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ScenarioException(step.describe() + ": interrupted");
    }
  }

  /** workload/NS/KIND/NAME -> the graph's vertex NS/KIND/NAME; outside ends as LabOutside names them. */
  private String vertex(Step step, Object ref) {
    String r = String.valueOf(ref);
    if (outside != null && LabOutside.isOutside(r)) {
      return outside.vertex(r);
    }
    String[] p = r.split("/");
    if (p.length == 4 && p[0].equals("workload")) {
      return p[1] + "/" + p[2] + "/" + p[3];
    }
    if (p.length == 2 && !p[0].equals("outside") && !p[0].matches("[0-9.]+")) { // not outside/HOST nor a CIDR
      return p[0] + "/Pod/" + p[1];
    }
    throw new UnsupportedStepException(step.action() + " of an edge to or from " + r
        + " (edges beyond the cluster)");
  }
}
