package dev.palisade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.StaticTokens;
import dev.palisade.dataplane.agent.FailsafeBuilder;
import dev.palisade.lab.deploy.KustomizeRenderer;
import dev.palisade.lab.deploy.Manifest;
import dev.palisade.model.Mode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The commands deploy/ runs, as deploy/ runs them: the manifests' args parse, and what the
 * commands default to (audience, ServiceAccount, port) is what the manifests provide.
 */
class DeployCommandsTest {
  private static final Path DEPLOY = Path.of("../deploy").toAbsolutePath().normalize();

  @TempDir
  Path dir;

  private static <T> T typed(List<Manifest> ms, Class<T> type, String name) {
    return ms.stream().filter(m -> m.name().equals(name)).map(Manifest::typed).filter(type::isInstance).map(type::cast)
        .findFirst().orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
  }

  /** Parses the container's args as ./palisade would and returns the subcommand object. */
  private static Object command(Container c) {
    CommandLine.ParseResult r = new CommandLine(new Main()).parseArgs(c.getArgs().toArray(String[]::new));
    assertNotNull(r.subcommand(), c.getArgs().toString());
    return r.subcommand().commandSpec().userObject();
  }

  @Test
  void theManifestsArgsParseAndAgree() {
    List<Manifest> ms = KustomizeRenderer.render(DEPLOY.resolve("overlays/production"));
    Deployment d = typed(ms, Deployment.class, "palisade-controller");
    Container cc = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    ControllerCommand controller = (ControllerCommand) command(cc);
    assertTrue(controller.leaderElection);
    assertEquals(Mode.ENFORCE, Mode.parse(controller.defaultMode));
    HostPort listen = HostPort.parse(controller.listen);

    DaemonSet ds = typed(ms, DaemonSet.class, "palisade-agent");
    Container ac = ds.getSpec().getTemplate().getSpec().getContainers().get(0);
    AgentCommand agent = (AgentCommand) command(ac);
    assertEquals(FailsafeBuilder.Config.DEFAULT, agent.failsafe(), "failsafe on");
    // the agents' ServiceAccount is the one the controller accepts
    assertEquals(controller.agentServiceAccount, ds.getSpec().getTemplate().getSpec().getServiceAccountName());

    // the token file is a projected token for the audience the controller reviews for
    VolumeMount mount = ac.getVolumeMounts().stream().filter(m -> agent.tokenFile.startsWith(m.getMountPath()))
        .findFirst().orElseThrow(() -> new AssertionError("token file " + agent.tokenFile + " is on no volume"));
    Volume v = ds.getSpec().getTemplate().getSpec().getVolumes().stream().filter(x -> x.getName().equals(mount.getName()))
        .findFirst().orElseThrow();
    var projected = v.getProjected().getSources().get(0).getServiceAccountToken();
    assertEquals(Path.of(mount.getMountPath()).resolve(projected.getPath()), agent.tokenFile);
    assertEquals(controller.agentAudience, projected.getAudience());

    // --controller reaches the controller's listen port through the Service, over TLS
    URI url = URI.create(agent.controller);
    assertEquals("https", url.getScheme(), "the controller serves TLS");
    assertFalse(agent.insecureHttp);
    assertFalse(controller.insecureHttp);
    Service svc = typed(ms, Service.class, "palisade-controller");
    assertEquals("palisade-controller." + svc.getMetadata().getNamespace() + ".svc", url.getHost());
    ServicePort port = svc.getSpec().getPorts().get(0);
    assertEquals(url.getPort() < 0 ? 443 : url.getPort(), port.getPort());
    int target = cc.getPorts().stream().filter(p -> p.getName().equals(port.getTargetPort().getStrVal())).findFirst()
        .orElseThrow().getContainerPort();
    assertEquals(listen.port(), target);

    // the certificate and key come from the Secret palisade-controller-tls (its kubernetes.io/tls keys)
    for (Path file : List.of(controller.tlsCert, controller.tlsKey)) {
      assertEquals("palisade-controller-tls", volumeOf(d.getSpec().getTemplate().getSpec(), cc, file).getSecret()
          .getSecretName(), file + " is not from the Secret palisade-controller-tls");
    }
    assertEquals(List.of("tls.crt", "tls.key"), List.of(controller.tlsCert.getFileName().toString(),
        controller.tlsKey.getFileName().toString()));
    // the agent's CA from a ConfigMap: naming the Secret would let every node read the controller's key
    assertEquals("palisade-controller-ca", volumeOf(ds.getSpec().getTemplate().getSpec(), ac, agent.ca)
        .getConfigMap().getName());
    // kubelet probes the API port as it is served
    assertEquals("HTTPS", cc.getReadinessProbe().getHttpGet().getScheme());
    assertEquals("HTTPS", cc.getLivenessProbe().getHttpGet().getScheme());

    // the agent listens for pod starts where the CNI plugin calls by default, on the node's own
    // directory (a hostPath: the runtime runs the plugin on the node, outside the pod)
    assertEquals(Path.of(cniDefaultSocket()), agent.podStartSocket);
    assertEquals("/run/palisade", volumeOf(ds.getSpec().getTemplate().getSpec(), ac, agent.podStartSocket)
        .getHostPath().getPath());

    // the users file sits on the optional palisade-users Secret
    assertTrue(cc.getVolumeMounts().stream().anyMatch(m -> controller.usersFile.startsWith(m.getMountPath())),
        "users file " + controller.usersFile + " is on no volume");
  }

  /** The socket palisade-cni calls when its configuration names none (cni/palisade-cni.c). */
  private static String cniDefaultSocket() {
    try {
      var m = java.util.regex.Pattern.compile("(?m)^#define DEFAULT_SOCKET \"([^\"]+)\"$")
          .matcher(Files.readString(DEPLOY.resolveSibling("cni").resolve("palisade-cni.c")));
      assertTrue(m.find(), "cni/palisade-cni.c defines DEFAULT_SOCKET");
      return m.group(1);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Volume volumeOf(io.fabric8.kubernetes.api.model.PodSpec pod, Container c, Path file) {
    VolumeMount mount = c.getVolumeMounts().stream().filter(m -> file.startsWith(m.getMountPath())).findFirst()
        .orElseThrow(() -> new AssertionError(file + " is on no volume"));
    return pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
  }

  @Test
  void aStandbyIsLiveButNotReadyAndServesNothingElse() throws Exception {
    try (StandbyHealth standby = StandbyHealth.start("127.0.0.1", 0, dev.palisade.controller.tls.ServerTls.plainHttp())) {
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + standby.port();
      assertEquals(200, get(http, base + "/healthz/live"));
      assertEquals(503, get(http, base + "/healthz/ready"));
      assertEquals(200, get(http, base + "/healthz"));
      assertEquals(401, get(http, base + "/v1/graph"));
    }
  }

  private static int get(HttpClient http, String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  @Test
  void userTokensFileGivesViewersAndApproversOnly() throws Exception {
    Path f = dir.resolve("tokens");
    Files.writeString(f, "# review page\n0123456789abcdef0123,alice,approver\nfedcba9876543210fedc,bob,viewer\n");
    StaticTokens tokens = new StaticTokens();
    assertEquals(2, UserTokens.load(f, tokens));
    assertEquals(Optional.of(new Principal("alice", Role.APPROVER)), tokens.authenticate("0123456789abcdef0123"));
    assertEquals(Optional.of(new Principal("bob", Role.VIEWER)), tokens.authenticate("fedcba9876543210fedc"));
    Files.writeString(f, "0123456789abcdef0123,mallory,agent\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UserTokens.load(f, new StaticTokens()));
    assertTrue(e.getMessage().contains(f + " line 1"), e.getMessage());
  }

  @Test
  void listenMustBeHostAndPort() {
    assertEquals(new HostPort("0.0.0.0", 8443), HostPort.parse("0.0.0.0:8443"));
    assertThrows(IllegalArgumentException.class, () -> HostPort.parse("8443"));
    assertThrows(IllegalArgumentException.class, () -> HostPort.parse("0.0.0.0:http"));
  }
}
