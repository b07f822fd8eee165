package dev.palisade.cli;

import dev.palisade.controller.api.ApiHandler;
import dev.palisade.controller.api.ApiResponse;
import dev.palisade.controller.api.ApiServer;
import dev.palisade.controller.api.Router;
import dev.palisade.controller.service.PalisadeController;
import dev.palisade.controller.tls.ServerTls;
import java.util.Optional;

/**
 * What a controller replica serves on its API port while it does not lead (or has not synced
 * yet): live, not ready. Not ready keeps it out of the Service, so agents and browsers only reach
 * the leader; live keeps kubelet from restarting a healthy stand-by.
 */
final class StandbyHealth implements AutoCloseable {
  private final ApiServer server;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  private StandbyHealth(ApiServer server) {
    this.server = server;
  }

  /** On the API's port with the API's TLS: probes and clients see the same scheme before and after. */
  static StandbyHealth start(String host, int port, ServerTls tls) {
    Router router = new Router()
        .add("GET", "/healthz", null, r -> ApiResponse.json(200, "{\"ready\":false}"))
        .add("GET", "/healthz/live", null, r -> ApiResponse.json(200, "{\"live\":true}"))
        .add("GET", "/healthz/ready", null, r -> ApiResponse.json(503, "{\"ready\":false,\"leader\":false}"));
    // no token opens anything here: every other path is refused 401/404
    return new StandbyHealth(ApiServer.start(host, port, router, token -> Optional.empty(),
        PalisadeController.HEALTH_PATHS, 4096, ApiHandler.Observer.NONE, tls));
  }

  int port() {
    return server.port();
  }

  /** Idempotent: the controller takes the port over, and shutdown closes whatever is left. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      server.close();
    }
  }
}
