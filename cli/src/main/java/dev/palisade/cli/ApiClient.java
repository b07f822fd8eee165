package dev.palisade.cli;

import dev.palisade.dataplane.tls.ControllerTrust;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Option;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * How the review commands reach the controller: the same HTTP API as the page, with the same
 * bearer token. Mixed into each command; the URL and token also come from the environment
 * (PALISADE_URL, PALISADE_TOKEN, PALISADE_CA) so a token need not sit in shell history. The
 * controller's certificate is checked against the CA given ({@link ControllerTrust}); plain HTTP
 * only with --insecure-http.
 */
final class ApiClient {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Option(names = "--url", description = "controller API, e.g. https://127.0.0.1:PORT (default: $PALISADE_URL)")
  String url;

  @Option(names = "--ca", description = "PEM file of the controller's CA, trusted alone (default: $PALISADE_CA, "
      + "else the lab's when the URL is the lab's, else the JVM's trust store)")
  Path ca;

  @Option(names = "--insecure-http", description = "allow an http:// URL (a controller run with --insecure-http): "
      + "the token then crosses the network readable")
  boolean insecureHttp;

  @Option(names = "--token-file", description = "file holding the bearer token (default: $PALISADE_TOKEN)")
  Path tokenFile;

  /** A refusal or failure the user should read, with the API's own message. */
  static class ApiError extends RuntimeException {
    ApiError(String message) {
      super(message);
    }
  }

  /** The controller cannot be reached or does not accept the token (exit code 3, not 1). */
  static final class NoAccess extends ApiError {
    NoAccess(String message) {
      super(message);
    }
  }

  private String base() {
    String u = url != null ? url : System.getenv("PALISADE_URL");
    if (u == null || u.isBlank()) {
      u = CliContext.current().map(CliContext::url).orElseThrow(() -> new NoAccess(
          "no controller URL: pass --url, set PALISADE_URL (the demo prints it) or start `palisade lab up`"));
    }
    return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
  }

  /** Like the token, the context's CA only serves the context's own URL. */
  private Path caFile() {
    if (ca != null) {
      return ca;
    }
    Path env = CaFile.fromEnvironment();
    if (env != null) {
      return env;
    }
    if (url == null && System.getenv("PALISADE_URL") == null) {
      return CliContext.current().map(CliContext::ca).orElse(null);
    }
    return null;
  }

  private String token() {
    try {
      String t = tokenFile != null ? Files.readString(tokenFile).strip() : System.getenv("PALISADE_TOKEN");
      // the context's token only goes to the context's controller, never to a URL given elsewhere
      if ((t == null || t.isBlank()) && tokenFile == null && url == null && System.getenv("PALISADE_URL") == null) {
        Optional<CliContext> context = CliContext.current();
        if (context.isPresent()) {
          t = Files.readString(context.get().tokenFile()).strip();
        }
      }
      if (t == null || t.isBlank()) {
        throw new NoAccess("no token: pass --token-file or set PALISADE_TOKEN (the demo prints one)");
      }
      return t;
    } catch (IOException e) {
      throw new NoAccess("cannot read token file " + tokenFile + ": " + e.getMessage());
    }
  }

  String get(String path) {
    HttpRequest r = request(path).GET().build();
    return answer(r, reaching(() -> exchange(r)));
  }

  /**
   * Posts a decision carrying request id {@code id}, sending it again unchanged while its answer is
   * lost ({@link LostAnswerRetry}); the controller applies a decision with a known id at most once.
   */
  String decide(String path, ObjectNode body, String id) {
    body.put("id", id);
    HttpRequest r = request(path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
    return answer(r, reaching(() -> new LostAnswerRetry(LostAnswerRetry.BACKOFF)
        .send(r.method() + " " + r.uri(), id, () -> exchange(r))));
  }

  static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base() + path)).header("Authorization", "Bearer " + token())
        .timeout(Duration.ofSeconds(30));
  }

  /** One exchange with the controller; IOException when no answer came. */
  private HttpResponse<String> exchange(HttpRequest r) throws IOException, InterruptedException {
    HttpClient http;
    try {
      http = ControllerTrust.of(caFile(), insecureHttp).builder(base()).connectTimeout(Duration.ofSeconds(5)).build();
    } catch (IllegalArgumentException e) {
      throw new NoAccess(e.getMessage());
    }
    return http.send(r, HttpResponse.BodyHandlers.ofString());
  }

  /** One or more exchanges, whose IOException means the controller could not be reached. */
  @FunctionalInterface
  private interface Exchange {
    HttpResponse<String> run() throws IOException, InterruptedException;
  }

  private HttpResponse<String> reaching(Exchange e) {
    try {
      return e.run();
    } catch (IOException ex) {
      throw new NoAccess("cannot reach the controller at " + base() + ": " + describe(ex));
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new ApiError("interrupted");
    }
  }

  /** ConnectException's message is often empty: the class is named too, so "refused" or "timed out" shows. */
  static String describe(IOException e) {
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
  }

  private static String answer(HttpRequest r, HttpResponse<String> resp) {
    if (resp.statusCode() == 401 || resp.statusCode() == 403) {
      throw new NoAccess(r.method() + " " + r.uri().getPath() + ": " + resp.statusCode() + " " + resp.body());
    }
    if (resp.statusCode() != 200) {
      throw new ApiError(r.method() + " " + r.uri().getPath() + ": " + resp.statusCode() + " " + resp.body());
    }
    return resp.body();
  }
}
