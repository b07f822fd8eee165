package dev.palisade.controller.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dataplane.agent.AgentMetrics;
import dev.palisade.dataplane.metrics.MetricsServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * deploy/grafana/palisade.json is built on the metric names the code registers: every PromQL
 * expression of every panel names only series that the agent's, the controller's and the JVM's
 * registries expose (a counter as NAME_total, a histogram as NAME_bucket/_sum/_count), read from
 * those registries, not from a list kept by hand.
 */
class DashboardQueriesTest {
  private static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "palisade.json");
  /** A series name in PromQL: ours, the JVM's or the process's. Label names never start so. */
  private static final Pattern SERIES = Pattern.compile("\\b((?:palisade|jvm|process)_[a-zA-Z0-9_:]*)");

  /** The series names a /metrics page of these registries can show. */
  static Set<String> exposed(PrometheusRegistry... registries) {
    Set<String> out = new TreeSet<>();
    for (PrometheusRegistry r : registries) {
      for (MetricSnapshot s : r.scrape()) {
        String name = s.getMetadata().getPrometheusName();
        if (s instanceof CounterSnapshot) {
          out.add(name + "_total");
        } else if (s instanceof HistogramSnapshot) {
          out.addAll(List.of(name + "_bucket", name + "_sum", name + "_count"));
        } else if (s instanceof SummarySnapshot) {
          out.addAll(List.of(name, name + "_sum", name + "_count"));
        } else if (s instanceof InfoSnapshot) {
          out.add(name + "_info");
        } else {
          out.add(name);
        }
      }
    }
    return out;
  }

  private static PrometheusRegistry agentRegistry() {
    return new AgentMetrics().readFrom(new AgentMetrics.Readings() {
      @Override
      public Map<String, Integer> rulesetElements() {
        return Map.of();
      }

      @Override
      public long applyFailures() {
        return 0;
      }

      @Override
      public long resyncs() {
        return 0;
      }

      @Override
      public long tamperRepairs() {
        return 0;
      }

      @Override
      public long syncFailures() {
        return 0;
      }

      @Override
      public long connectionsCut() {
        return 0;
      }

      @Override
      public long commits() {
        return 0;
      }

      @Override
      public long longestCommitNanos() {
        return 0;
      }

      @Override
      public int podsCovered() {
        return 0;
      }
    }).registry();
  }

  @Test
  void everyQueryNamesOnlySeriesTheCodeRegisters() throws Exception {
    Set<String> known = exposed(agentRegistry(), new ControllerMetrics().registry(),
        MetricsServer.addJvmAndProcess(new PrometheusRegistry()));
    assertTrue(known.contains("palisade_agent_drops_total") && known.contains("jvm_memory_used_bytes"),
        "the registries were read: " + known);
    JsonNode dashboard = JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
    assertFalse(dashboard.path("title").asString().isBlank(), "the dashboard has a title");
    List<String> problems = new ArrayList<>();
    Set<String> used = new TreeSet<>();
    int queries = 0;
    for (JsonNode panel : panels(dashboard)) {
      for (JsonNode target : panel.path("targets")) {
        String expr = target.path("expr").asString();
        queries++;
        Matcher m = SERIES.matcher(expr);
        boolean any = false;
        while (m.find()) {
          any = true;
          used.add(m.group(1));
          if (!known.contains(m.group(1))) {
            problems.add("panel '" + panel.path("title").asString() + "': " + m.group(1) + " is not exposed (" + expr + ")");
          }
        }
        if (!any) {
          problems.add("panel '" + panel.path("title").asString() + "' queries no Palisade, JVM or process series: " + expr);
        }
      }
    }
    assertTrue(queries >= 20, "the dashboard has its queries: " + queries);
    assertEquals(List.of(), problems);
    // the families the issue asks for are on the dashboard
    for (String family : List.of("palisade_agent_sync_duration_seconds_bucket", "palisade_agent_tamper_repairs_total",
        "palisade_agent_drops_total", "palisade_agent_pod_rules_seconds_bucket", "palisade_controller_graph_edges",
        "palisade_controller_flow_reports_refused_total", "palisade_controller_api_requests_total")) {
      assertTrue(used.contains(family), family + " is on no panel");
    }
  }

  @Test
  void aQueryNamingAnUnknownSeriesWouldBeFound() {
    Matcher m = SERIES.matcher("sum by (kind) (rate(palisade_agent_drop_total[5m]))");
    assertTrue(m.find());
    assertFalse(exposed(agentRegistry()).contains(m.group(1)), "a misspelt family is not exposed");
  }

  /** Panels, and the panels of collapsed rows. */
  private static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode p : dashboard.path("panels")) {
      out.add(p);
      p.path("panels").forEach(out::add);
    }
    return out;
  }
}
