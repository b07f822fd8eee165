package dev.palisade.lab.daemon;

import dev.palisade.lab.net.LabNetwork;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Waits for the lab's Palisade processes as a cluster would see them come up: the controller's
 * readiness endpoint answering 200, an agent's table in its node's nftables. A timeout names the
 * process's log, restarts and last exit.
 */
final class ProcessReadiness {
  private ProcessReadiness() {}

  /** Until {@code url}/healthz/ready answers 200 or {@code deadline} (System.nanoTime) passes. */
  static void awaitController(HttpClient http, String url, SupervisedProcess controller, Path dir, long deadline) {
    while (true) {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/healthz/ready"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for the controller", e);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the controller process did not become ready at " + url
            + "/healthz/ready in time; see " + dir.resolve("controller.log") + " (restarts: " + controller.restarts()
            + ", last exit: " + controller.lastExit() + ")");
      }
      sleep(200);
    }
  }

  /** Until the node's namespace has table inet palisade or {@code deadline} (System.nanoTime) passes. */
  static void awaitTable(LabNetwork.Node node, SupervisedProcess agent, Path dir, long deadline) {
    while (true) {
      try {
        node.ns().exec("nft", "list", "table", "inet", "palisade");
        return;
      } catch (RuntimeException e) {
        // not written yet
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(agent.name() + " wrote no table inet palisade in " + node.ns().name()
            + " in time; see " + dir.resolve(agent.name() + ".log") + " (restarts: " + agent.restarts()
            + ", last exit: " + agent.lastExit() + ")");
      }
      sleep(200);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
