package dev.palisade.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** What a benchmark reads from an agent process's /metrics: the elements in force, once settled. */
final class AgentScrape {
  private AgentScrape() {}

  /** Waits until the agent's ruleset holds at least {@code atLeast} elements and one scrape later the same. */
  static long awaitStable(String metrics, long atLeast, Duration timeout) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + timeout.toNanos();
    long last = -1;
    while (System.nanoTime() < deadline) {
      long now = elements(http, metrics);
      if (now >= atLeast && now == last) {
        return now;
      }
      last = now;
      Thread.sleep(2000);
    }
    throw new IllegalStateException("the agent's ruleset did not reach " + atLeast + " elements (last " + last + ")");
  }

  /** Elements in force over all sets (the gauge is per set), or -1 until the agent is ready and covers a pod. */
  static long elements(HttpClient http, String metrics) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(metrics)).build(),
        HttpResponse.BodyHandlers.ofString());
    long sum = 0;
    boolean ready = false;
    boolean covers = false;
    for (String line : r.body().split("\n")) {
      if (line.startsWith("palisade_agent_ruleset_elements")) {
        sum += (long) value(line);
      } else if (line.startsWith("palisade_agent_ready ")) {
        ready = value(line) == 1;
      } else if (line.startsWith("palisade_agent_pods_covered ")) {
        covers = value(line) >= 1;
      }
    }
    return ready && covers ? sum : -1;
  }

  /**
   * The sum of a family's samples in a scrape's text whose labels contain {@code labels} (empty:
   * all); 0 when the family is absent.
   */
  static double sum(String body, String family, String labels) {
    double sum = 0;
    for (String line : body.split("\n")) {
      if (line.startsWith(family) && line.length() > family.length()
          && (line.charAt(family.length()) == ' ' || line.charAt(family.length()) == '{')
          && (labels.isEmpty() || line.contains(labels))) {
        sum += value(line);
      }
    }
    return sum;
  }

  private static double value(String sample) {
    return Double.parseDouble(sample.substring(sample.lastIndexOf(' ') + 1));
  }

}
