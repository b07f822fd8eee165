package dev.palisade.controller.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.controller.publish.Backoff;
import dev.palisade.model.DropEvent;
import dev.palisade.model.Identities;
import dev.palisade.model.Protocol;
import dev.palisade.model.json.DropReportJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Drop reports -> the page's list, Events and violations; an outside end named as the agent knew it. */
class DropIntakeTest {
  private final DropEventsTest.FakeSink events = new DropEventsTest.FakeSink();
  private final List<EdgeKey> violations = new ArrayList<>();
  private final DropIntake intake = new DropIntake(new DropEvents(events, () -> 1_000_000L, false),
      new PolicyReportWriter(new PolicyReports(), r -> {}, () -> 0L, Duration.ofSeconds(5),
          new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(4)), false));
  private final DropIntake.Graph graph = new DropIntake.Graph() {
    @Override
    public String vertexOf(long identity) {
      return Map.of(300L, "shop/Deployment/web", Identities.WORLD, "world").get(identity);
    }

    @Override
    public boolean rejected(EdgeKey edge) {
      return false;
    }

    @Override
    public void violation(EdgeKey edge) {
      violations.add(edge);
    }
  };

  @Test
  void aDropToANameTheAgentKnewIsAboutThatNameEverywhere() {
    intake.accept(new DropReportJson.DropReport("node-0", List.of(new DropEvent("enforce", "out", 300,
        Identities.WORLD, Protocol.TCP, 443, 5, "shop/web-1", null, "dns:api.other.example"))), graph);
    assertEquals(List.of(new EdgeKey("shop/Deployment/web", "dns:api.other.example", Protocol.TCP, 443)), violations);
    assertEquals(1, events.writes.size(), "one Event, on web (nothing to put one on outside)");
    String message = events.messages.values().iterator().next();
    assertTrue(message.startsWith("shop/Deployment/web -> dns:api.other.example 443/TCP dropped"), message);
    String json = intake.recent().json();
    assertTrue(json.contains("\"destination\":\"dns:api.other.example\""), json);
  }
}
