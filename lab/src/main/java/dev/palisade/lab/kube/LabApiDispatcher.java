package dev.palisade.lab.kube;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocketListener;
import dev.palisade.lab.kube.auth.RequestInfo;
import dev.palisade.lab.kube.table.RowPrinter;
import dev.palisade.lab.kube.table.TableRequest;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the lab's API server answers before (and instead of) fabric8's CRUD store: first
 * authentication and authorization ({@link ApiAccess}: 401, 403), then its own APIs
 * ({@link AccessEndpoints}: TokenRequest, TokenReview, access reviews), discovery, the version, and
 * refusals for what the store cannot read. Everything else goes to the store; writes to RBAC
 * objects are reported to {@link ApiAccess} so that they are in force for the next request.
 */
final class LabApiDispatcher extends Dispatcher {
  static final String JSON = "application/json";
  private static final String STRATEGIC = "application/strategic-merge-patch+json";
  private static final String MERGE = "application/merge-patch+json";
  private static final String JSON_PATCH = "application/json-patch+json";
  private static final JsonMapper MAPPER = JsonMapper.builder().build();
  private static final String VERSION = """
      {"major":"1","minor":"32","gitVersion":"v1.32.0-palisade-lab","gitCommit":"","gitTreeState":"clean",
      "buildDate":"1970-01-01T00:00:00Z","goVersion":"","compiler":"java","platform":"linux/amd64"}""";

  private static final Logger LOG = LoggerFactory.getLogger(LabApiDispatcher.class);

  private final KubernetesCrudDispatcher store;
  private final CustomResourceAdmission admission;
  /** Watches still to be refused with 410 Gone, as a real API server does when a resourceVersion is too old. */
  private final java.util.concurrent.atomic.AtomicInteger watchesToExpire = new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicInteger watchesExpired = new java.util.concurrent.atomic.AtomicInteger();

  private final ApiAccess access;
  private final AccessEndpoints endpoints;
  private final TableAnswers tables;

  LabApiDispatcher(KubernetesCrudDispatcher store, ApiAccess access) {
    this.store = store;
    this.access = access;
    this.endpoints = new AccessEndpoints(access);
    this.admission = CustomResourceAdmission.over(store);
    this.tables = new TableAnswers(path -> {
      MockResponse got = store.handleGet(path);
      return got.code() == 200 ? Optional.of(MAPPER.readTree(got.getBody().readUtf8())) : Optional.empty();
    }, java.time.Clock.systemUTC());
  }

  ApiAccess access() {
    return access;
  }

  void expireNextWatches(int n) {
    watchesToExpire.set(n);
  }

  int watchesExpired() {
    return watchesExpired.get();
  }

  /** What a watch streamed over HTTP (not a WebSocket) gets from {@link #openStreamedWatch}. */
  sealed interface StreamedWatch {
    /** Refused (401, 403, 410...): the response to send as is. */
    record Refused(MockResponse response) implements StreamedWatch {}

    /** The store's WebSocket listener for the watch, to be opened on a bridge; Tables when asked. */
    record Opened(WebSocketListener listener, Optional<TableRequest> table, RowPrinter printer) implements StreamedWatch {}
  }

  /**
   * Authorizes a streamed watch as {@link #dispatch} would, then opens it on the store: the store
   * only streams over WebSockets, so the caller bridges its listener to a chunked response.
   */
  StreamedWatch openStreamedWatch(RecordedRequest request) {
    ApiAccess.Admission authorized = access.admit(request);
    if (authorized instanceof ApiAccess.Admission.Refused refused) {
      return new StreamedWatch.Refused(AccessEndpoints.reply(refused.status()));
    }
    RequestInfo info = ((ApiAccess.Admission.Admitted) authorized).request();
    if (watchesToExpire.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      watchesExpired.incrementAndGet();
      return new StreamedWatch.Refused(status(410, "Expired", "too old resource version (the lab expired this watch on purpose)"));
    }
    if (!info.resourceRequest() || !info.name().isEmpty() && !info.subresource().isEmpty()) {
      return new StreamedWatch.Refused(status(400, "BadRequest", "cannot watch " + info.path()));
    }
    MockResponse opened = store.handleWatch(request.getPath());
    if (opened.getWebSocketListener() == null) {
      if (opened.header("Content-Type") == null) {
        opened.setHeader("Content-Type", JSON);
      }
      return new StreamedWatch.Refused(opened);
    }
    Optional<TableRequest> table = TableRequest.of(request.getHeader("Accept"), query(request.getPath()));
    return new StreamedWatch.Opened(opened.getWebSocketListener(), table, tables.printer(info));
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} {} accept={} content-type={}", request.getMethod(), request.getPath(),
          request.getHeader("Accept"), request.getHeader("Content-Type"));
    }
    // authentication and authorization first, as in kube-apiserver's filter chain (watch upgrades included)
    ApiAccess.Admission authorized = access.admit(request);
    if (authorized instanceof ApiAccess.Admission.Refused refused) {
      LOG.debug("refused {} {}: {}", request.getMethod(), request.getPath(), refused.status().getMessage());
      return AccessEndpoints.reply(refused.status());
    }
    ApiAccess.Admission.Admitted admitted = (ApiAccess.Admission.Admitted) authorized;
    Optional<MockResponse> own = endpoints.handle(request, admitted.user(), admitted.request());
    if (own.isPresent()) {
      return own.get();
    }
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
    if (request.getMethod().equals("GET") && path.contains("watch=true")
        && watchesToExpire.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      watchesExpired.incrementAndGet();
      // what kube-apiserver answers when etcd compacted past the watch's resourceVersion: re-list
      return status(410, "Expired", "too old resource version (the lab expired this watch on purpose)");
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
    if (path.contains("watch=true") && request.getHeader("Upgrade") == null) {
      // LabHttpServer streams these through openStreamedWatch; a dispatcher called otherwise cannot
      return status(400, "BadRequest", "this dispatcher serves watches over WebSockets only; "
          + "HTTP-streamed watches (kubectl get -w) are served by LabHttpServer");
    }
    if (request.getMethod().equals("PATCH") && contentType != null
        && (contentType.startsWith(STRATEGIC) || contentType.startsWith(MERGE))) {
      request = asJsonPatch(request, bare, contentType.startsWith(STRATEGIC));
      if (request == null) {
        return status(404, "NotFound", "not found: " + bare);
      }
    }
    CustomResourceAdmission.Verdict verdict = admission.admit(request, bare);
    if (verdict.refused()) {
      return verdict.refusal();
    }
    MockResponse response = store.dispatch(verdict.request());
    verdict.warnings().forEach(w -> response.addHeader("Warning", w));
    if (!request.getMethod().equals("GET")) {
      access.written(bare);
    }
    if (request.getMethod().equals("GET") && response.code() == 200 && response.getWebSocketListener() == null
        && admitted.request().resourceRequest() && admitted.request().subresource().isEmpty()) {
      Optional<TableRequest> table = TableRequest.of(request.getHeader("Accept"), query(path));
      if (table.isPresent()) {
        // kubectl get asks for a Table: print the store's answer server-side, as kube-apiserver does
        JsonNode answer = MAPPER.readTree(response.getBody().readUtf8());
        return json(200, MAPPER.writeValueAsString(tables.table(admitted.request(), answer, table.get())));
      }
    }
    if (response.getWebSocketListener() == null && response.header("Content-Type") == null) {
      // The store sends JSON without saying so; clients pick their decoder by this header.
      response.setHeader("Content-Type", JSON);
    }
    return response;
  }

  /**
   * The store refuses strategic merge patches (kubectl apply's patch for built-in kinds) and
   * mis-applies merge patches to arrays (kubectl apply's patch for custom resources): apply either
   * to the stored object here and pass the store the equivalent JSON patch. Null when the object
   * does not exist.
   */
  private RecordedRequest asJsonPatch(RecordedRequest request, String path, boolean strategic) {
    String objectPath = path.replaceFirst("/(status|scale)$", "");
    MockResponse current = store.handleGet(objectPath);
    if (current.code() != 200) {
      return null;
    }
    JsonNode stored = MAPPER.readTree(current.getBody().readUtf8());
    JsonNode patch = MAPPER.readTree(request.getUtf8Body());
    JsonNode patched = strategic ? StrategicMergePatch.apply(stored, patch) : JsonPatches.applyMergePatch(stored, patch);
    byte[] body = MAPPER.writeValueAsBytes(JsonPatches.diff(stored, patched));
    Headers headers = request.getHeaders().newBuilder().set("Content-Type", JSON_PATCH).build();
    return new RecordedRequest(request.getRequestLine(), HttpMethod.PATCH, request.getPath(), headers,
        new Buffer(body));
  }

  private static String query(String path) {
    int q = path.indexOf('?');
    return q < 0 ? "" : path.substring(q + 1);
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
