package dev.palisade.lab.kube;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's Kubernetes API server: fabric8's mock server in CRUD mode on 127.0.0.1, plain HTTP, a
 * free port, no authentication, fronted by {@link LabApiDispatcher} so that kubectl can use it.
 */
public final class LabApiServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LabApiServer.class);
  static final String CONTEXT = "palisade-lab";

  private final KubernetesMockServer server;
  private final KubernetesClient client;

  private LabApiServer(KubernetesMockServer server) {
    this.server = server;
    this.client = new KubernetesClientBuilder().withConfig(clientConfig(url())).build();
  }

  /** Starts a server with an empty store on a free loopback port. */
  public static LabApiServer start() {
    KubernetesCrudDispatcher store = new KubernetesCrudDispatcher(ApiResourceCatalog.customResources());
    LabApiDispatcher dispatcher = new LabApiDispatcher(store, line -> LOG.debug("{}", line));
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        dispatcher, false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    return new LabApiServer(server);
  }

  /** {@code http://127.0.0.1:PORT} without a trailing slash. */
  public String url() {
    return "http://127.0.0.1:" + server.getPort();
  }

  public int port() {
    return server.getPort();
  }

  /** A client of this server, in namespace default; closed with the server. */
  public KubernetesClient client() {
    return client;
  }

  /** Writes a kubeconfig whose current context points at this server, namespace default. */
  public Path writeKubeconfig(Path file) {
    String yaml = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: %1$s
          cluster:
            server: %2$s
        users:
        - name: %1$s-admin
          user: {}
        contexts:
        - name: %1$s
          context:
            cluster: %1$s
            user: %1$s-admin
            namespace: default
        current-context: %1$s
        preferences: {}
        """.formatted(CONTEXT, url());
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      Files.writeString(file, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write kubeconfig " + file, e);
    }
    return file;
  }

  private static Config clientConfig(String url) {
    // Config.empty(): nothing from ~/.kube/config or the environment may point the lab elsewhere.
    return new ConfigBuilder(Config.empty()).withMasterUrl(url).withNamespace("default").withHttp2Disable(true)
        .build();
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
