package dev.palisade.lab.kube;

import dev.palisade.lab.deploy.JsonPatch6902;
import dev.palisade.lab.kube.CustomResourceSchemas.CustomResourceSchema;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * What kube-apiserver does to a custom resource write before storing it, done for the lab's store:
 * the object a create (POST), update (PUT) or patch (PATCH, on the patched result) would store is
 * pruned and defaulted ({@link StructuralPruner}) and checked against its CRD's schema
 * ({@link CustomResourceSchemas}, {@link CustomResourceValidator}).
 *
 * <ul>
 *   <li>Invalid: 422 Unprocessable Entity, a Status with reason Invalid and one cause per field
 *       ({@code AllowList.palisade.dev "x" is invalid: spec.identity: Invalid value: ...}); nothing
 *       is stored.</li>
 *   <li>Unknown fields: dropped and named in a {@code Warning} header (the server's default,
 *       {@code fieldValidation=Warn}), dropped silently with {@code Ignore}, and with {@code Strict}
 *       (what kubectl apply sends) refused with 400 Bad Request ("strict decoding error: unknown
 *       field ..."): kube-apiserver refuses them while decoding, before validating, so not with
 *       422.</li>
 *   <li>Otherwise the store gets the pruned object: as the body of a create or update, as the JSON
 *       patch from the stored object to it for a patch.</li>
 * </ul>
 * Patches reach here as JSON patches: {@link LabApiDispatcher} already turned merge and strategic
 * merge patches into them. Writes to kinds without a schema, to subresources and to core groups
 * pass unchanged, and so does what the store will refuse anyway (bodies that are not JSON objects,
 * patches of missing objects or that do not apply).
 */
final class CustomResourceAdmission {
  private static final String JSON_PATCH = "application/json-patch+json";
  private static final String CRDS = "/apis/apiextensions.k8s.io/";
  private static final JsonMapper MAPPER = JsonMapper.builder().build();
  private static final Logger LOG = LoggerFactory.getLogger(CustomResourceAdmission.class);

  /**
   * What to do with a request: send {@code request} to the store and add {@code warnings} to its
   * answer, or answer {@code refusal} (not null) instead.
   */
  record Verdict(RecordedRequest request, MockResponse refusal, List<String> warnings) {
    static Verdict pass(RecordedRequest request) {
      return new Verdict(request, null, List.of());
    }

    static Verdict refuse(MockResponse refusal) {
      return new Verdict(null, refusal, List.of());
    }

    boolean refused() {
      return refusal != null;
    }
  }

  /** Where a write goes: {@code /apis/GROUP/VERSION[/namespaces/NS]/PLURAL[/NAME[/SUBRESOURCE]]}. */
  record Target(String group, String version, String plural, String name, String subresource) {
    static Optional<Target> of(String path) {
      String[] p = path.split("/");
      if (p.length < 5 || !p[1].equals("apis")) {
        return Optional.empty();
      }
      int at = p[4].equals("namespaces") && p.length >= 7 ? 6 : 4;
      return Optional.of(new Target(p[2], p[3], p[at], p.length > at + 1 ? p[at + 1] : null,
          p.length > at + 2 ? p[at + 2] : null));
    }
  }

  private final Function<String, Optional<JsonNode>> store;
  private final CustomResourceSchemas schemas;

  /** {@code store} reads an object by its API path (no query), empty when there is none. */
  CustomResourceAdmission(Function<String, Optional<JsonNode>> store) {
    this.store = store;
    this.schemas = new CustomResourceSchemas(store);
  }

  /** Admission in front of {@code store}, reading stored objects and CRDs from it. */
  static CustomResourceAdmission over(KubernetesCrudDispatcher store) {
    return new CustomResourceAdmission(path -> {
      MockResponse got = store.handleGet(path);
      return got.code() == 200 ? Optional.of(MAPPER.readTree(got.getBody().readUtf8())) : Optional.empty();
    });
  }

  /** The verdict on {@code request}, whose path without query and trailing slash is {@code path}. */
  Verdict admit(RecordedRequest request, String path) {
    String method = request.getMethod();
    if (method.equals("GET")) {
      return Verdict.pass(request);
    }
    if (path.startsWith(CRDS)) {
      schemas.crdsChanged();
      return Verdict.pass(request);
    }
    boolean patch = method.equals("PATCH");
    if (!method.equals("POST") && !method.equals("PUT") && !patch) {
      return Verdict.pass(request);
    }
    Optional<Target> target = Target.of(path);
    if (target.isEmpty() || target.get().subresource() != null
        || (target.get().name() == null) != method.equals("POST")) {
      return Verdict.pass(request);
    }
    Optional<CustomResourceSchema> schema =
        schemas.find(target.get().group(), target.get().version(), target.get().plural());
    if (schema.isEmpty()) {
      return Verdict.pass(request);
    }
    JsonNode stored = null;
    JsonNode candidate;
    try {
      if (patch) {
        String contentType = request.getHeader("Content-Type");
        stored = store.apply(path).orElse(null);
        if (stored == null || contentType == null || !contentType.startsWith(JSON_PATCH)) {
          return Verdict.pass(request);
        }
        candidate = JsonPatch6902.apply(stored, MAPPER.readTree(body(request)));
      } else {
        candidate = MAPPER.readTree(body(request));
      }
    } catch (JacksonException | IllegalArgumentException e) {
      return Verdict.pass(request); // the store refuses it with its own words
    }
    if (!(candidate instanceof ObjectNode object)) {
      return Verdict.pass(request);
    }
    return judge(request, stored, object, schema.get(), target.get());
  }

  private Verdict judge(RecordedRequest request, JsonNode stored, ObjectNode object, CustomResourceSchema schema,
      Target target) {
    List<String> unknown = StructuralPruner.prune(object, schema.openApiV3Schema());
    String fieldValidation = queryParameter(request.getPath(), "fieldValidation").orElse("Warn");
    if (!unknown.isEmpty() && fieldValidation.equalsIgnoreCase("Strict")) {
      String fields = unknown.stream().map(f -> "unknown field \"" + f + "\"").collect(Collectors.joining(", "));
      return Verdict.refuse(status(400, "BadRequest", "%s in version \"%s\" cannot be handled as a %s: strict decoding error: %s"
          .formatted(schema.kind(), schema.version(), schema.kind(), fields), null));
    }
    List<FieldError> errors = schema.validator().validate(object);
    if (!errors.isEmpty()) {
      String name = object.path("metadata").path("name").asString(target.name() == null ? "" : target.name());
      return Verdict.refuse(invalid(schema, name, errors));
    }
    byte[] body = MAPPER.writeValueAsBytes(stored == null ? object : JsonPatches.diff(stored, object));
    RecordedRequest admitted = new RecordedRequest(request.getRequestLine(), HttpMethod.valueOf(request.getMethod()),
        request.getPath(), request.getHeaders().newBuilder().set("Content-Length", String.valueOf(body.length)).build(),
        new Buffer(body));
    if (!unknown.isEmpty()) {
      // clients seldom show Warning headers: a writer whose fields the CRD lacks should be seen here
      LOG.info("{} {}: dropped fields the CRD does not declare: {}", request.getMethod(), request.getPath(), unknown);
    }
    List<String> warnings = fieldValidation.equalsIgnoreCase("Ignore") ? List.of()
        : unknown.stream().map(f -> "299 - \"unknown field \\\"" + f + "\\\"\"").toList();
    return new Verdict(admitted, null, warnings);
  }

  /** kube-apiserver's 422 for an object that fails its schema. */
  private static MockResponse invalid(CustomResourceSchema schema, String name, List<FieldError> errors) {
    String list = errors.size() == 1 ? errors.get(0).toString()
        : errors.stream().map(FieldError::toString).collect(Collectors.joining(", ", "[", "]"));
    ObjectNode details = JsonNodeFactory.instance.objectNode();
    details.put("name", name).put("group", schema.group()).put("kind", schema.kind());
    ArrayNode causes = details.putArray("causes");
    errors.forEach(e -> causes.addObject().put("reason", e.reason()).put("message", e.message()).put("field", e.field()));
    return status(422, "Invalid", "%s \"%s\" is invalid: %s".formatted(schema.qualifiedKind(), name, list), details);
  }

  private static MockResponse status(int code, String reason, String message, ObjectNode details) {
    ObjectNode status = JsonNodeFactory.instance.objectNode();
    status.put("kind", "Status").put("apiVersion", "v1").putObject("metadata");
    status.put("status", "Failure").put("message", message).put("reason", reason);
    if (details != null) {
      status.set("details", details);
    }
    status.put("code", code);
    return new MockResponse().setResponseCode(code).setHeader("Content-Type", LabApiDispatcher.JSON)
        .setBody(MAPPER.writeValueAsString(status));
  }

  /**
   * The body, left in the request: {@code getUtf8Body()} empties the buffer, and a request passed on
   * to the store must still carry it.
   */
  private static byte[] body(RecordedRequest request) {
    return request.getBody() == null ? new byte[0] : request.getBody().getBytes();
  }

  private static Optional<String> queryParameter(String path, String name) {
    int query = path.indexOf('?');
    if (query < 0) {
      return Optional.empty();
    }
    for (String pair : path.substring(query + 1).split("&")) {
      if (pair.startsWith(name + "=")) {
        return Optional.of(java.net.URLDecoder.decode(pair.substring(name.length() + 1),
            java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    return Optional.empty();
  }
}
