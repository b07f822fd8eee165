package dev.palisade.controller.api.endpoints;

import dev.palisade.controller.api.EmbeddedHttp;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.Router;
import dev.palisade.controller.api.StaticTokens;

/**
 * An endpoint's routes behind the API's real HTTP pipeline ({@link EmbeddedHttp}), with a caller
 * per role. Endpoints run on the calling thread, so a fake state behind them answers at once.
 */
final class EmbeddedApi {
  /** Tokens of one caller per role; the agent is node-a's. */
  final StaticTokens tokens = new StaticTokens();
  final String agentA = tokens.issue(new Principal("node-a", Role.AGENT));
  final String viewer = tokens.issue(new Principal("vera", Role.VIEWER));
  final String approver = tokens.issue(new Principal("alice", Role.APPROVER));
  private final EmbeddedHttp http;

  EmbeddedApi(Router router) {
    this.http = new EmbeddedHttp(router, tokens, HealthEndpoints.PATHS, 1 << 20);
  }

  EmbeddedHttp.Answer send(String method, String path, String token, String body) {
    return http.send(method, path, token, body);
  }
}
