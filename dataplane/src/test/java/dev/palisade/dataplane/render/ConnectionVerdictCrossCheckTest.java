package dev.palisade.dataplane.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dataplane.render.ConnectionVerdict.Stage;
import dev.palisade.dataplane.render.ConnectionVerdict.Verdict;
import dev.palisade.dataplane.render.RandomNodeRules.Connection;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The verdict function and the rendered ruleset (as the packet tracer reads it) must agree on
 * every connection: random rules, random connections, a fixed seed so a failure reproduces.
 */
class ConnectionVerdictCrossCheckTest {
  private static final long SEED = 20_261_130L;
  private static final int CASES = 400;
  private static final int CONNECTIONS = 80;

  @Test
  void theVerdictAgreesWithTheRenderedRulesetOnRandomRulesAndConnections() {
    RandomNodeRules random = new RandomNodeRules(SEED);
    Map<Stage, Integer> seen = new EnumMap<>(Stage.class);
    int monitorLogs = 0;
    int sharedTrios = 0;
    for (int c = 0; c < CASES; c++) {
      NodeRules rules = random.rules();
      DesiredRuleset rendered = RulesetRenderer.render(rules);
      PacketTracer tracer = new PacketTracer(rendered);
      ConnectionVerdict verdict = new ConnectionVerdict(rules);
      for (var chain : rendered.chains().values()) {
        // a NetworkPolicy chain reading another group's set trio: the renderer shared it
        if (chain.name().endsWith("_np") && !chain.rules().get(0).contains("@np_" + chain.name().replace("_np", "_any"))) {
          sharedTrios++;
        }
      }
      for (int k = 0; k < CONNECTIONS; k++) {
        Connection x = random.connection();
        PacketTracer.Trace kernel = tracer.trace(x.src(), x.dst(), x.proto().nft(), x.port());
        Verdict v = verdict.judge(x.src(), x.dst(), x.proto(), x.port());
        int n = c;
        String where = "case " + n + ", " + x + ": " + v + "\n" + rules + "\n" + rendered.text();
        assertEquals(kernel.verdict() == PacketTracer.Verdict.ACCEPT, v.passes(), where);
        assertEquals(kernel.logs(), v.logs().stream().map(ConnectionVerdict.Log::text).toList(), where);
        assertEquals(v.passes(), verdict.allows(x.src(), x.dst(), x.proto(), x.port()), where);
        // the agent skips connections without a restricted end: none of them may be one to cut
        assertTrue(v.passes() || verdict.involvesRestricted(x.src(), x.dst()), where);
        seen.merge(v.stage(), 1, Integer::sum);
        monitorLogs += (int) v.logs().stream().filter(l -> l.prefix().startsWith("pal:monitor:")).count();
      }
    }
    // the generator must reach every stage often, or agreement would prove little
    for (Stage s : Stage.values()) {
      assertTrue(seen.getOrDefault(s, 0) >= 100, "stage " + s + " decided only " + seen.get(s) + " times: " + seen);
    }
    assertTrue(monitorLogs >= 100, "monitor logged only " + monitorLogs + " times");
    assertTrue(sharedTrios >= 20, "shared set trios rendered only " + sharedTrios + " times");
  }
}
