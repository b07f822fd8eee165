package dev.palisade.lab.kube;

import dev.palisade.lab.kube.auth.IssuedToken;
import dev.palisade.lab.kube.auth.TokenBinding;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The lab's Kubernetes API server: fabric8's mock server in CRUD mode ({@link KubernetesCrudDispatcher})
 * served by {@link LabHttpServer} on 127.0.0.1, HTTPS with a self-signed certificate made at each (re)start, a free port, fronted by {@link LabApiDispatcher} so that kubectl can use
 * it too. The kinds it admits are listed in {@link ApiResourceCatalog}.
 *
 * <p>Like kube-apiserver it authenticates every request by bearer token (401 otherwise) and
 * authorizes it with RBAC from the Roles and bindings it stores (403), see {@link ApiAccess}. An
 * admin token (user lab-admin in system:masters) is made at start; {@link #client()} and
 * {@link #writeKubeconfig} use it. ServiceAccount tokens come from the TokenRequest API
 * (serviceaccounts/NAME/token) or {@link #issueServiceAccountToken}; TokenReview,
 * SubjectAccessReview, SelfSubjectAccessReview and impersonation work as in a cluster
 * ({@link AccessEndpoints}). HTTPS is what makes kubectl send credentials at all: client-go drops
 * a kubeconfig's user (token, {@code --as}) for a plain-HTTP server. The certificate changes at
 * every restart, so clients skip its verification ({@code insecure-skip-tls-verify}, fabric8's
 * trustCerts); the server listens on loopback only.
 *
 * <p>What kubectl v1.32 does against it, as observed with {@code -v=8}, and what the lab answers:
 * <ul>
 *   <li>Discovery: GET /api and /apis with {@code Accept: application/json;g=apidiscovery.k8s.io;v=v2;
 *       as=APIGroupDiscoveryList,...;v=v2beta1...,application/json}. A plain legacy APIVersions /
 *       APIGroupList with {@code Content-Type: application/json} is accepted; kubectl then GETs
 *       /api/v1 and every /apis/GROUP/VERSION ({@code Accept: application/json, *}{@code /*}). The
 *       store answers none of these, so the catalog does, with short names and categories.
 *       Discovery is cached per host:port under {@code --cache-dir} (default ~/.kube/cache).</li>
 *   <li>Protobuf: sent by kubectl's typed clientset only ({@code auth can-i}, {@code auth whoami},
 *       {@code create token}), whose review and token bodies {@link AccessEndpoints} reads; other
 *       requests are JSON. GET /openapi/v2 asks
 *       for {@code application/com.github.proto-openapi.spec.v2@v1.0+protobuf}. Bodies in protobuf
 *       are answered 415 all the same, since the store reads JSON only.</li>
 *   <li>Tables: {@code get} asks for {@code as=Table;v=v1;g=meta.k8s.io}; the store's List or object
 *       is printed server-side as kube-apiserver does ({@link TableAnswers}): READY, STATUS, RESTARTS
 *       for pods (IP, NODE... with {@code -o wide}), the usual columns of workloads, services,
 *       namespaces and nodes, a CRD's additionalPrinterColumns, else NAME and AGE.</li>
 *   <li>{@code get -w}: a watch streamed over a chunked HTTP response, which the mock web server
 *       cannot send (one whole body per request); {@link LabHttpServer} serves it instead, bridging
 *       the store's WebSocket watch ({@link WatchStreams}), with Table rows when asked.</li>
 *   <li>apply: the default {@code --validate=strict} first reads /openapi/v3 (then /openapi/v2) to
 *       learn whether the server validates fields; with neither it refuses ("failed to download
 *       openapi"). The lab serves a schema-less v3 index and per-group-version documents that
 *       declare the {@code fieldValidation} parameter, so kubectl sends
 *       {@code ?fieldValidation=Strict}: custom resources are then checked against their CRD's schema
 *       and refused for unknown fields ({@link CustomResourceAdmission}); built-in kinds are not
 *       checked. Creation is
 *       GET (404) then POST. Re-applying a changed built-in object sends
 *       {@code application/strategic-merge-patch+json}, which the store refuses with 415, and a
 *       custom resource gets {@code application/merge-patch+json}, which the store applies with
 *       arrays appended instead of replaced. Both are applied here ({@link StrategicMergePatch},
 *       {@link JsonPatches}) and passed to the store as an exact JSON patch.</li>
 *   <li>delete: DELETE, then GET until 404 (the default {@code --wait}); works.</li>
 *   <li>Not supported: server-side apply ({@code application/apply-patch+yaml}, 415 from the store); kinds outside
 *       the catalog are stored but undiscoverable by kubectl, except that the store itself answers
 *       /apis/GROUP/VERSION for CRDs created through it; exec, logs, port-forward, proxy.</li>
 * </ul>
 *
 * <p>fabric8 clients (informers, label selectors, generic custom resources) use the store
 * directly. A watch replays every matching object as ADDED whatever resourceVersion it is given,
 * which informers take as no-op updates.
 */
public final class LabApiServer implements AutoCloseable {
  static final String CONTEXT = "palisade-lab";

  private volatile LabHttpServer server;
  private final LabApiDispatcher dispatcher;
  private final KubernetesClient client;

  private LabApiServer(LabHttpServer server, LabApiDispatcher dispatcher) {
    this.server = server;
    this.dispatcher = dispatcher;
    this.client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(clientConfig()).withOnlyHttpWatches(true)
        .build()).build();
  }

  /** The mock web server logs every request at INFO through java.util.logging: keep only warnings. */
  private static final java.util.logging.Logger MOCK_LOG = quiet("io.fabric8.mockwebserver");

  private static java.util.logging.Logger quiet(String name) {
    java.util.logging.Logger l = java.util.logging.Logger.getLogger(name);
    l.setLevel(java.util.logging.Level.WARNING);
    return l;
  }

  /** Starts a server with an empty store on a free loopback port. */
  public static LabApiServer start() {
    return start(Clock.systemUTC());
  }

  /** As {@link #start()}, with the clock tokens expire by. */
  public static LabApiServer start(Clock clock) {
    MOCK_LOG.fine("starting a lab API server");
    KubernetesCrudDispatcher store = new IndexedCrudStore(ApiResourceCatalog.customResources());
    LabApiDispatcher dispatcher = new LabApiDispatcher(store, new ApiAccess(store, clock));
    return new LabApiServer(serve(dispatcher, 0), dispatcher);
  }

  private static LabHttpServer serve(LabApiDispatcher dispatcher, int port) {
    return LabHttpServer.serve(dispatcher, InetAddress.getLoopbackAddress(), port);
  }

  /**
   * Stops serving (every open watch breaks) and serves again on the same port from the same store,
   * as an API server restart would; the first {@code expireWatches} watches after it get 410 Gone,
   * so informers must re-list.
   */
  public void restart(int expireWatches) {
    int port = port();
    dispatcher.expireNextWatches(expireWatches);
    server.stop();
    server = serve(dispatcher, port);
  }

  /** How many watches were refused with 410 Gone so far. */
  public int watchesExpired() {
    return dispatcher.watchesExpired();
  }

  /** {@code https://127.0.0.1:PORT} without a trailing slash. */
  public String url() {
    return "https://127.0.0.1:" + server.port();
  }

  public int port() {
    return server.port();
  }

  /** The bearer token of lab-admin (group system:masters): every request is allowed. */
  public String adminToken() {
    return dispatcher.access().adminToken();
  }

  /**
   * A ServiceAccount token, as the TokenRequest API issues them (user
   * {@code system:serviceaccount:NS:NAME}); bound to a pod or a node, it carries their names and uids
   * as extras ({@code authentication.kubernetes.io/node-name}...) and stops working when they go.
   *
   * @param audiences empty: the API server's own ({@code https://kubernetes.default.svc}); a token
   *     for other audiences only (e.g. palisade-controller) is refused by the API server itself
   * @throws IllegalArgumentException when the ServiceAccount or the bound object does not exist, or
   *     the pod runs as another ServiceAccount
   */
  public IssuedToken issueServiceAccountToken(String namespace, String serviceAccount, List<String> audiences,
      TokenBinding binding, Duration ttl) {
    try {
      return dispatcher.access().issueServiceAccountToken(namespace, serviceAccount, audiences, binding, ttl);
    } catch (ApiAccess.TokenRefused e) {
      throw new IllegalArgumentException("cannot issue a token for serviceaccount " + namespace + "/"
          + serviceAccount + ": " + e.getMessage(), e);
    }
  }

  /** A client configuration for this server with the admin token, in namespace default. */
  public Config clientConfig() {
    return clientConfig(adminToken());
  }

  /** A client configuration for this server with the given bearer token, in namespace default. */
  public Config clientConfig(String token) {
    // Config.empty(): nothing from ~/.kube/config or the environment may point the lab elsewhere.
    return new ConfigBuilder(Config.empty()).withMasterUrl(url()).withNamespace("default").withHttp2Disable(true)
        .withTrustCerts(true).withDisableHostnameVerification(true).withOauthToken(token).build();
  }

  /**
   * A client of this server, in namespace default, as lab-admin; closed with the server. Its watches
   * are streamed HTTP ones from the start ({@code onlyHttpWatches}), which is what every fabric8
   * watch here ends up as anyway ({@link LabHttpServer} declines WebSocket upgrades): the declined
   * WebSocket try is not only a wasted request, fabric8 also closes it by scheduling a fail-safe
   * check on its shared scheduler that is cancelled only when the WebSocket ends, which a socket
   * never opened does not, so for two minutes it held the watcher, and through it the informer
   * and whoever handles its events (the lab's in-process agents with their HTTP clients and kernel
   * handles, the controller), after every watch start; labs run one after the other in one JVM
   * kept dozens of torn-down agents alive that way (LabTeardownIT).
   */
  public KubernetesClient client() {
    return client;
  }

  /** Writes a kubeconfig whose current context points at this server as lab-admin, namespace default. */
  public Path writeKubeconfig(Path file) {
    String yaml = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: %1$s
          cluster:
            server: %2$s
            insecure-skip-tls-verify: true
        users:
        - name: %1$s-admin
          user:
            token: %3$s
        contexts:
        - name: %1$s
          context:
            cluster: %1$s
            user: %1$s-admin
            namespace: default
        current-context: %1$s
        preferences: {}
        """.formatted(CONTEXT, url(), adminToken());
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      Files.writeString(file, yaml);
      try {
        // it holds the admin token
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write kubeconfig " + file, e);
    }
    return file;
  }

  @Override
  public void close() {
    client.close();
    server.stop();
  }
}
