package dev.palisade.lab.kube;

import dev.palisade.model.crd.CrdNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Finds the schema a custom resource is checked against: the openAPIV3Schema of the version it is
 * written in, from its CustomResourceDefinition ({@code PLURAL.GROUP}).
 *
 * <p>The CRD objects the API server stores come first (created with kubectl apply, as
 * {@code deploy/crds} is, or by a test), as on a real cluster. Palisade's own kinds are also known
 * without them: the lab registers them with the store from {@link ApiResourceCatalog} and most labs
 * never create their CRDs, so their generated CRDs (the model's
 * {@code META-INF/fabric8/PLURAL.palisade.dev-v1.yml}, the files scripts/gen-crds.sh copies to
 * deploy/crds) are read from the classpath, else from deploy/crds. So palisade.dev objects are
 * validated in every lab, and so are PolicyReports (deploy/crds/third-party). Kinds with neither
 * are stored unchecked.
 *
 * <p>Lookups are cached and forgotten whenever a CRD is written ({@link #crdsChanged}). A cached
 * answer is also re-read after {@link #MAX_AGE_NANOS}: a lookup racing a CRD write may have cached
 * the CRD as it was, and kube-apiserver too takes a moment to serve a changed schema.
 */
final class CustomResourceSchemas {
  private static final Logger LOG = LoggerFactory.getLogger(CustomResourceSchemas.class);
  private static final YAMLMapper YAML = YAMLMapper.builder().build();
  private static final String CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/";
  private static final long MAX_AGE_NANOS = 1_000_000_000L;
  private static final Map<String, JsonNode> GENERATED = generatedCrds();

  /** One served version of a kind, with its schema compiled. */
  record CustomResourceSchema(String group, String version, String kind, JsonNode openApiV3Schema,
      CustomResourceValidator validator) {
    /** {@code AllowList.palisade.dev}, as kube-apiserver names the kind in messages. */
    String qualifiedKind() {
      return kind + "." + group;
    }
  }

  private record Cached(Optional<CustomResourceSchema> schema, long readAt) {}

  private final Function<String, Optional<JsonNode>> store;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  /** {@code store} reads an object by its API path, empty when there is none. */
  CustomResourceSchemas(Function<String, Optional<JsonNode>> store) {
    this.store = store;
  }

  /** The schema of {@code plural} in {@code group}/{@code version}, empty when no CRD declares one. */
  Optional<CustomResourceSchema> find(String group, String version, String plural) {
    String key = plural + "." + group + "/" + version;
    long now = System.nanoTime();
    Cached cached = cache.get(key);
    if (cached == null || now - cached.readAt() > MAX_AGE_NANOS) {
      cached = new Cached(read(plural + "." + group, version), now);
      cache.put(key, cached);
    }
    return cached.schema();
  }

  /** A CRD was created, changed or deleted: read schemas again. */
  void crdsChanged() {
    cache.clear();
  }

  private Optional<CustomResourceSchema> read(String crdName, String version) {
    return crd(crdName).flatMap(c -> schemaOf(c, version));
  }

  /** The CRD named {@code PLURAL.GROUP}: the stored one, else Palisade's generated one; uncached. */
  Optional<JsonNode> crd(String crdName) {
    return store.apply(CRDS + crdName).or(() -> Optional.ofNullable(GENERATED.get(crdName)));
  }

  /** The version's schema; v1 CRDs keep one per version, v1beta1 ones may keep one for all. */
  static Optional<CustomResourceSchema> schemaOf(JsonNode crd, String version) {
    JsonNode spec = crd.path("spec");
    JsonNode schema = null;
    for (JsonNode v : spec.path("versions")) {
      if (v.path("name").asString("").equals(version)) {
        schema = v.path("schema").get("openAPIV3Schema");
        if (schema == null) {
          schema = spec.path("validation").get("openAPIV3Schema");
        }
      }
    }
    if (schema == null || !schema.isObject()) {
      return Optional.empty();
    }
    String group = spec.path("group").asString("");
    String kind = spec.path("names").path("kind").asString("");
    return Optional.of(new CustomResourceSchema(group, version, kind, schema, new CustomResourceValidator(schema)));
  }

  /** Palisade's generated CRDs by name ({@code allowlists.palisade.dev}). */
  private static Map<String, JsonNode> generatedCrds() {
    Map<String, JsonNode> crds = new HashMap<>();
    for (ApiResourceCatalog.Kind k : ApiResourceCatalog.KINDS) {
      if (k.group().equals(ApiResourceCatalog.POLICY_REPORTS)) {
        // third-party, kept by hand in deploy/crds/third-party (the lab jar carries deploy/ as palisade-deploy/)
        String name = k.plural() + "." + k.group();
        String file = "crds/third-party/" + name + ".yaml";
        fromClasspath("palisade-deploy/" + file).or(() -> fromFile(Path.of("deploy", file)))
            .or(() -> fromFile(Path.of("../deploy", file))).ifPresentOrElse(c -> crds.put(name, c),
                () -> LOG.warn("no CRD {} on the classpath or in deploy/: {} objects are stored unchecked", file, k.kind()));
        continue;
      }
      if (!k.group().equals(CrdNames.GROUP)) {
        continue;
      }
      String name = k.plural() + "." + k.group();
      String file = name + "-v1.yml";
      Optional<JsonNode> crd = fromClasspath("META-INF/fabric8/" + file)
          .or(() -> fromFile(Path.of("deploy/crds", file)))
          .or(() -> fromFile(Path.of("../deploy/crds", file)));
      crd.ifPresentOrElse(c -> crds.put(name, c),
          () -> LOG.warn("no generated CRD {} on the classpath or in deploy/crds: {} objects are stored unchecked",
              file, k.kind()));
    }
    return Map.copyOf(crds);
  }

  private static Optional<JsonNode> fromClasspath(String resource) {
    try (InputStream in = CustomResourceSchemas.class.getClassLoader().getResourceAsStream(resource)) {
      return in == null ? Optional.empty() : Optional.of(YAML.readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource + " from the classpath", e);
    }
  }

  private static Optional<JsonNode> fromFile(Path file) {
    return Files.isRegularFile(file) ? Optional.of(YAML.readTree(file.toFile())) : Optional.empty();
  }
}
