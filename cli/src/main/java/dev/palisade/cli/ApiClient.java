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

/**
 * How the review commands reach the controller: the same HTTP API as the page, with the same
 * bearer token. Mixed into each command; the URL and token also come from the environment
 * (PALISADE_URL, PALISADE_TOKEN, PALISADE_CA) so a token need not sit in shell history. The
 * controller's certificate is checked against the CA given ({@link ControllerTrust}); plain HTTP
 * only with --insecure-http.
 */
final class ApiClient {
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
    return send(HttpRequest.newBuilder(URI.create(base() + path)).GET());
  }

  String post(String path, String json) {
    return send(HttpRequest.newBuilder(URI.create(base() + path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private String send(HttpRequest.Builder b) {
    HttpRequest r = b.header("Authorization", "Bearer " + token()).timeout(Duration.ofSeconds(30)).build();
    try {
      HttpClient http;
      try {
        http = ControllerTrust.of(caFile(), insecureHttp).builder(base()).connectTimeout(Duration.ofSeconds(5)).build();
      } catch (IllegalArgumentException e) {
        throw new NoAccess(e.getMessage());
      }
      HttpResponse<String> resp = http.send(r, HttpResponse.BodyHandlers.ofString());
      if (resp.statusCode() == 401 || resp.statusCode() == 403) {
        throw new NoAccess(r.method() + " " + r.uri().getPath() + ": " + resp.statusCode() + " " + resp.body());
      }
      if (resp.statusCode() != 200) {
        throw new ApiError(r.method() + " " + r.uri().getPath() + ": " + resp.statusCode() + " " + resp.body());
      }
      return resp.body();
    } catch (IOException e) {
      // ConnectException's message is often empty: name the class so "refused" or "timed out" shows
      throw new NoAccess("cannot reach the controller at " + base() + ": " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " " + e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiError("interrupted");
    }
  }
}
