package dev.palisade.lab.kube;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What the lab's API server answers before (and instead of) fabric8's CRUD store: discovery, the
 * version, and refusals for what the store cannot read. Everything else goes to the store.
 */
final class LabApiDispatcher extends Dispatcher {
  static final String JSON = "application/json";
  private static final String VERSION = """
      {"major":"1","minor":"32","gitVersion":"v1.32.0-palisade-lab","gitCommit":"","gitTreeState":"clean",
      "buildDate":"1970-01-01T00:00:00Z","goVersion":"","compiler":"java","platform":"linux/amd64"}""";

  private final KubernetesCrudDispatcher store;
  private final Consumer<String> requestLog;

  LabApiDispatcher(KubernetesCrudDispatcher store, Consumer<String> requestLog) {
    this.store = store;
    this.requestLog = requestLog;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    requestLog.accept(request.getMethod() + " " + request.getPath() + " accept=" + request.getHeader("Accept")
        + " content-type=" + request.getHeader("Content-Type"));
    String contentType = request.getHeader("Content-Type");
    if (contentType != null && contentType.contains("protobuf")) {
      // The store parses bodies as JSON only; 415 tells a client that this encoding is refused.
      return status(415, "UnsupportedMediaType", "the lab API server reads JSON bodies only, not " + contentType);
    }
    String path = request.getPath();
    int query = path.indexOf('?');
    String bare = query < 0 ? path : path.substring(0, query);
    if (bare.length() > 1 && bare.endsWith("/")) {
      bare = bare.substring(0, bare.length() - 1);
    }
    if (request.getMethod().equals("GET")) {
      Optional<String> discovery = discovery(bare);
      if (discovery.isPresent()) {
        return json(200, discovery.get());
      }
      if (bare.equals("/openapi/v3")) {
        return json(200, ApiResourceCatalog.openApiIndex());
      }
      if (bare.startsWith("/openapi/")) {
        Optional<String> doc = bare.startsWith("/openapi/v3/")
            ? ApiResourceCatalog.openApiDocument(bare.substring("/openapi/v3/".length()))
            : Optional.empty();
        return doc.map(d -> json(200, d))
            .orElseGet(() -> status(404, "NotFound", "the lab API server publishes no OpenAPI v2 and no such v3 document"));
      }
    }
    MockResponse response = store.dispatch(request);
    if (response.getWebSocketListener() == null && response.header("Content-Type") == null) {
      // The store sends JSON without saying so; clients pick their decoder by this header.
      response.setHeader("Content-Type", JSON);
    }
    return response;
  }

  /** Legacy (unaggregated) discovery; kubectl accepts it when it asked for aggregated discovery. */
  private static Optional<String> discovery(String path) {
    if (path.equals("/version")) {
      return Optional.of(VERSION);
    }
    if (path.equals("/api")) {
      return Optional.of(ApiResourceCatalog.coreVersions());
    }
    if (path.equals("/apis")) {
      return Optional.of(ApiResourceCatalog.groups());
    }
    if (path.equals("/api/v1")) {
      return ApiResourceCatalog.resources("v1");
    }
    String[] parts = path.split("/");
    if (parts.length == 3 && parts[1].equals("apis")) {
      return ApiResourceCatalog.group(parts[2]);
    }
    if (parts.length == 4 && parts[1].equals("apis")) {
      return ApiResourceCatalog.resources(parts[2] + "/" + parts[3]);
    }
    return Optional.empty();
  }

  private static MockResponse json(int code, String body) {
    return new MockResponse().setResponseCode(code).setHeader("Content-Type", JSON).setBody(body);
  }

  private static MockResponse status(int code, String reason, String message) {
    return json(code, """
        {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"%s","reason":"%s","code":%d}"""
        .formatted(message.replace("\"", "'"), reason, code));
  }

  @Override
  public void shutdown() {
    store.shutdown();
  }
}
