package dev.palisade.dataplane.agent;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;

/** fabric8's mock API server in CRUD mode on loopback, and a client of it: the agent tests' cluster. */
final class CrudApi implements AutoCloseable {
  final KubernetesMockServer server;
  final KubernetesClient client;

  CrudApi() {
    server = new KubernetesMockServer(new io.fabric8.mockwebserver.Context(), new io.fabric8.mockwebserver
        .MockWebServer(), new java.util.HashMap<>(), new KubernetesCrudDispatcher(), false);
    server.init(java.net.InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
  }

  @Override
  public void close() {
    client.close();
    try {
      server.destroy();
    } catch (IllegalStateException e) {
      // fabric8's mock server blocks its event loop for up to a minute on a WebSocket watch whose
      // client went away, and its shutdown gives up after 10 s: a known defect of the test double
      // (the lab's API server declines WebSocket watches for this reason), not of the agent
    }
  }
}
