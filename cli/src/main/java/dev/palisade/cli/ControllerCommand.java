package dev.palisade.cli;

import dev.palisade.controller.api.Authenticator;
import dev.palisade.controller.api.StaticTokens;
import dev.palisade.controller.api.TokenReviewAuthenticator;
import dev.palisade.controller.metrics.ControllerMetrics;
import dev.palisade.dataplane.metrics.MetricsServer;
import dev.palisade.controller.publish.Backoff;
import dev.palisade.controller.service.ControllerLeadership;
import dev.palisade.controller.service.PalisadeController;
import dev.palisade.controller.tls.ServerTls;
import dev.palisade.model.Mode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code palisade controller}: the controller against the cluster of the default kubeconfig or the
 * pod's ServiceAccount. With --leader-election only the holder of the Lease runs a controller; the
 * others serve live-but-not-ready health until they lead. A replica that loses the lease exits
 * (status 1) and Kubernetes restarts it as a fresh candidate.
 */
@Command(name = "controller", description = "Run the controller against the cluster (kubeconfig or in-cluster).")
final class ControllerCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(ControllerCommand.class);
  private static final Duration SYNC_TIMEOUT = Duration.ofMinutes(5);

  @Option(names = "--listen", defaultValue = "0.0.0.0:8443", description = "HOST:PORT of the API, page and health (${DEFAULT-VALUE})")
  String listen;

  @Option(names = "--tls-cert", description = "PEM certificate chain the API serves (in a cluster: tls.crt of the "
      + "Secret palisade-controller-tls); with --tls-key")
  Path tlsCert;

  @Option(names = "--tls-key", description = "its PKCS#8 PEM key (tls.key of the same Secret); re-read with the "
      + "certificate when the files change")
  Path tlsKey;

  @Option(names = "--insecure-http", description = "serve the API as plain HTTP instead (agents' tokens and approvals "
      + "cross the network readable); without it and without --tls-cert/--tls-key the controller does not start")
  boolean insecureHttp;

  @Option(names = "--default-mode", defaultValue = "learn", description = "learn, monitor or enforce (${DEFAULT-VALUE}); "
      + "published to the agents as ConfigMap palisade-defaults in POD_NAMESPACE")
  String defaultMode;

  @Option(names = "--workload-mode-annotations", defaultValue = "honour",
      description = "honour or ignore palisade.dev/mode on Deployments and other root owners (${DEFAULT-VALUE}); "
      + "anyone who may edit a Deployment may set it, so production ignores it (still audited, marked ignored)")
  String workloadModeAnnotations;

  @Option(names = "--leader-election", description = "compete for the Lease palisade-controller (POD_NAME, POD_NAMESPACE)")
  boolean leaderElection;

  @Option(names = "--agent-service-account", defaultValue = "palisade-agent",
      description = "ServiceAccount whose tokens are agents (${DEFAULT-VALUE}), in POD_NAMESPACE or palisade-system")
  String agentServiceAccount;

  @Option(names = "--agent-audience", defaultValue = "palisade-controller",
      description = "audience of the agents' projected tokens (${DEFAULT-VALUE}); empty: the API server's")
  String agentAudience;

  @Option(names = "--users-file", defaultValue = "/etc/palisade/users/tokens",
      description = "review-page users, TOKEN,NAME,viewer|approver per line (${DEFAULT-VALUE}; Secret palisade-users)")
  Path usersFile;

  private boolean honourWorkloadAnnotations() {
    return switch (workloadModeAnnotations) {
      case "honour" -> true;
      case "ignore" -> false;
      default -> throw new CommandLine.ParameterException(new CommandLine(this),
          "--workload-mode-annotations: honour or ignore, not '" + workloadModeAnnotations + "'");
    };
  }

  @Option(names = "--metrics-listen", defaultValue = "0.0.0.0:9470", description = "HOST:PORT of /metrics "
      + "(Prometheus text, no token) and /healthz/live, /healthz/ready (${DEFAULT-VALUE}; port 0: any free port)")
  String metricsListen;

  /** Counted down by tests only; a real process ends by SIGTERM. */
  final CountDownLatch stop = new CountDownLatch(1);

  @Override
  public Integer call() throws Exception {
    HostPort at = HostPort.parse(listen);
    HostPort metricsAt = HostPort.parse("--metrics-listen", metricsListen);
    Mode mode = Mode.parse(defaultMode);
    honourWorkloadAnnotations(); // a bad value is a usage error before anything starts
    ServerTls tls = serverTls();
    String namespace = env("POD_NAMESPACE", "palisade-system");
    KubernetesClient client = new KubernetesClientBuilder().build();
    StaticTokens users = new StaticTokens();
    if (Files.isRegularFile(usersFile)) {
      LOG.info("{} review-page user(s) from {}", UserTokens.load(usersFile, users), usersFile);
    } else {
      LOG.warn("no {}: nobody can use the review page or API until the Secret palisade-users provides it", usersFile);
    }
    TokenReviewAuthenticator agents = new TokenReviewAuthenticator(client, namespace, agentServiceAccount,
        agentAudience.isBlank() ? List.of() : List.of(agentAudience), Duration.ofSeconds(30));
    // users first: their tokens never leave the controller in a TokenReview
    Authenticator auth = token -> users.authenticate(token).or(() -> agents.authenticate(token));
    // live-but-not-ready on the port until a controller has synced and takes the port over
    StandbyHealth standby = StandbyHealth.start(at.host(), at.port(), tls);
    // its own port, from the start: a stand-by replica is scraped too (leader 0)
    ControllerMetrics metrics = new ControllerMetrics();
    java.util.concurrent.atomic.AtomicBoolean serving = new java.util.concurrent.atomic.AtomicBoolean();
    MetricsServer metricsServer = MetricsServer.start(metricsAt.host(), metricsAt.port(), metrics.registry(),
        serving::get);
    Runtime.getRuntime().addShutdownHook(new Thread(metricsServer::close, "palisade-metrics-shutdown"));
    LOG.info("metrics on http://{}:{}/metrics", metricsAt.host(), metricsServer.port());
    Consumer<PalisadeController> start = c -> {
      c.metrics(metrics);
      c.tls(tls);
      c.sync(SYNC_TIMEOUT);
      standby.close();
      c.serve(at.host(), at.port());
      serving.set(true);
    };
    if (!leaderElection) {
      PalisadeController c = new PalisadeController(client, auth, mode, namespace, Backoff.DEFAULT)
            .workloadModeAnnotations(honourWorkloadAnnotations());
      metrics.leader(true); // the only replica
      Runtime.getRuntime().addShutdownHook(new Thread(c::close, "palisade-shutdown"));
      try {
        start.accept(c);
        stop.await(); // until SIGTERM (or a test)
      } finally {
        c.close();
        standby.close();
        metricsServer.close();
      }
      return 0;
    }
    return lead(client, auth, mode, namespace, start.andThen(c -> metrics.leader(true)));
  }

  private int lead(KubernetesClient client, Authenticator auth, Mode mode, String namespace,
      Consumer<PalisadeController> start) throws Exception {
    String pod = env("POD_NAME", null);
    if (pod == null) {
      throw new IllegalArgumentException("--leader-election needs POD_NAME (the downward API: metadata.name)");
    }
    ControllerLeadership leadership = new ControllerLeadership(client, namespace, pod,
        ControllerLeadership.Timing.DEFAULT,
        () -> new PalisadeController(client, auth, mode, namespace, Backoff.DEFAULT)
            .workloadModeAnnotations(honourWorkloadAnnotations()), start);
    Runtime.getRuntime().addShutdownHook(new Thread(leadership::close, "palisade-shutdown"));
    leadership.start().lost().get();
    LOG.error("{} lost the Lease {}: exiting so that Kubernetes restarts it as a candidate", pod,
        ControllerLeadership.LEASE);
    return 1;
  }

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** The API's TLS from the flags; a missing or contradicting flag is a usage error (exit 2). */
  private ServerTls serverTls() {
    try {
      return ServerTls.fromFlags(tlsCert, tlsKey, insecureHttp);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
