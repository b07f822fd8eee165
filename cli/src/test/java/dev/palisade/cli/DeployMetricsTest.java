package dev.palisade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.lab.deploy.KustomizeRenderer;
import dev.palisade.lab.deploy.Manifest;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * deploy/'s metrics ports, probes and ServiceMonitors agree with the flags the commands parse: the
 * port named "metrics" is the one --metrics-listen binds, the agent's probes ask it for
 * /healthz/live and /healthz/ready, and the monitoring overlay scrapes that port by name.
 */
class DeployMetricsTest {
  private static final Path DEPLOY = Path.of("../deploy").toAbsolutePath().normalize();

  private static Container container(List<Manifest> ms, Class<?> kind) {
    for (Manifest m : ms) {
      Object o = m.kind().equals(kind.getSimpleName()) ? m.typed() : null;
      if (o instanceof DaemonSet ds) {
        return ds.getSpec().getTemplate().getSpec().getContainers().get(0);
      }
      if (o instanceof Deployment d) {
        return d.getSpec().getTemplate().getSpec().getContainers().get(0);
      }
    }
    throw new AssertionError("no " + kind.getSimpleName());
  }

  private static Object command(Container c) {
    return new CommandLine(new Main()).parseArgs(c.getArgs().toArray(String[]::new)).subcommand().commandSpec()
        .userObject();
  }

  private static int metricsPort(Container c) {
    return c.getPorts().stream().filter(p -> "metrics".equals(p.getName())).map(ContainerPort::getContainerPort)
        .findFirst().orElseThrow(() -> new AssertionError(c.getName() + " declares no port named metrics"));
  }

  @Test
  void metricsPortsAndTheAgentsProbesAreWhatTheCommandsServe() {
    List<Manifest> ms = KustomizeRenderer.render(DEPLOY.resolve("overlays/production"));
    Container agent = container(ms, DaemonSet.class);
    AgentCommand a = (AgentCommand) command(agent);
    assertEquals(HostPort.parse(a.metricsListen).port(), metricsPort(agent));
    assertEquals("/healthz/ready", agent.getReadinessProbe().getHttpGet().getPath());
    assertEquals("/healthz/live", agent.getLivenessProbe().getHttpGet().getPath());
    assertEquals("metrics", agent.getReadinessProbe().getHttpGet().getPort().getStrVal());
    assertEquals("metrics", agent.getLivenessProbe().getHttpGet().getPort().getStrVal());
    Container controller = container(ms, Deployment.class);
    ControllerCommand c = (ControllerCommand) command(controller);
    assertEquals(HostPort.parse(c.metricsListen).port(), metricsPort(controller));
  }

  @Test
  void theMonitoringOverlayScrapesBothByPortName() {
    List<Manifest> ms = KustomizeRenderer.render(DEPLOY.resolve("overlays/monitoring"));
    List<Manifest> monitors = ms.stream().filter(m -> m.kind().equals("ServiceMonitor")).toList();
    assertEquals(2, monitors.size(), "one ServiceMonitor for the controller, one for the agents");
    for (Manifest m : monitors) {
      assertEquals("monitoring.coreos.com/v1", m.object().path("apiVersion").asString());
      assertEquals("metrics", m.object().path("spec").path("endpoints").path(0).path("port").asString());
      assertEquals("/metrics", m.object().path("spec").path("endpoints").path(0).path("path").asString());
    }
    assertTrue(ms.stream().anyMatch(m -> m.kind().equals("Service") && m.name().equals("palisade-agent-metrics")));
  }

  @Test
  void aBadMetricsAddressIsRefusedNamingTheFlag() {
    var e = assertThrows(IllegalArgumentException.class, () -> HostPort.parse("--metrics-listen", "9471"));
    assertTrue(e.getMessage().startsWith("--metrics-listen: expected HOST:PORT"), e.getMessage());
  }
}
