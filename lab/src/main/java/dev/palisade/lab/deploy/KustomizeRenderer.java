package dev.palisade.lab.deploy;

import dev.palisade.lab.kube.StrategicMergePatch;
import dev.palisade.lab.yaml.InvalidYamlException;
import dev.palisade.lab.yaml.YamlReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Renders a kustomization the way {@code kubectl kustomize} does, for the subset deploy/ uses, so
 * that tests can check the manifests on machines without kubectl:
 * <ul>
 *   <li>{@code resources}: YAML files (several documents each) and directories holding a
 *       kustomization, recursively, in order;</li>
 *   <li>{@code patches}: inline ({@code patch}) or from a file ({@code path}); a list is a JSON 6902
 *       patch and needs a {@code target}, an object is a strategic-merge patch whose target defaults
 *       to its own kind and name; targets match on group, version, kind, name and namespace (kind and
 *       name are regular expressions, as in kustomize);</li>
 *   <li>{@code namespace}: set on every namespaced object and on ServiceAccount subjects of bindings
 *       that name a ServiceAccount of the rendering.</li>
 * </ul>
 * Anything else in a kustomization is refused rather than ignored, so a rendering never silently
 * differs from kustomize's. Every error names the file at fault.
 */
public final class KustomizeRenderer {
  private static final List<String> KUSTOMIZATION_FILES = List.of("kustomization.yaml", "kustomization.yml",
      "Kustomization");
  private static final Set<String> SUPPORTED_FIELDS = Set.of("apiVersion", "kind", "resources", "patches", "namespace");
  private static final Set<String> PATCH_FIELDS = Set.of("patch", "path", "target");
  private static final Set<String> TARGET_FIELDS = Set.of("group", "version", "kind", "name", "namespace");
  /** Kinds kustomize's namespace transformer leaves alone. */
  private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "Node", "PersistentVolume", "ClusterRole",
      "ClusterRoleBinding", "CustomResourceDefinition", "StorageClass", "PriorityClass", "IngressClass",
      "RuntimeClass", "CSIDriver", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "APIService",
      "CertificateSigningRequest");

  private final Deque<Path> visiting = new ArrayDeque<>();

  private KustomizeRenderer() {}

  /** The objects the kustomization in {@code dir} produces, in kustomize's input order. */
  public static List<Manifest> render(Path dir) {
    return new KustomizeRenderer().renderDirectory(dir.toAbsolutePath().normalize(), null);
  }

  private List<Manifest> renderDirectory(Path dir, Path referencedFrom) {
    Path file = KUSTOMIZATION_FILES.stream().map(dir::resolve).filter(Files::isRegularFile).findFirst()
        .orElseThrow(() -> new KustomizeException(referencedFrom == null ? dir : referencedFrom,
            "no kustomization.yaml in " + dir));
    if (visiting.contains(dir)) {
      throw new KustomizeException(file, "kustomization cycle: " + visiting);
    }
    visiting.push(dir);
    try {
      return renderKustomization(file);
    } finally {
      visiting.pop();
    }
  }

  private List<Manifest> renderKustomization(Path file) {
    JsonNode k = readSingle(file);
    for (String field : k.propertyNames()) {
      if (!SUPPORTED_FIELDS.contains(field)) {
        throw new KustomizeException(file, "unsupported kustomization field '" + field + "' (supported: "
            + SUPPORTED_FIELDS + ")");
      }
    }
    List<Manifest> out = new ArrayList<>();
    for (JsonNode r : list(file, k, "resources")) {
      if (!r.isString()) {
        throw new KustomizeException(file, "resources entries must be paths, not " + r);
      }
      Path p = file.getParent().resolve(r.asString()).normalize();
      if (Files.isDirectory(p)) {
        out.addAll(renderDirectory(p, file));
      } else if (Files.isRegularFile(p)) {
        out.addAll(readManifests(p));
      } else {
        throw new KustomizeException(file, "resource '" + r.asString() + "' does not exist (" + p + ")");
      }
    }
    checkUnique(file, out);
    int i = 0;
    for (JsonNode patch : list(file, k, "patches")) {
      applyPatch(file, i++, patch, out);
    }
    if (k.has("namespace")) {
      setNamespace(file, k.get("namespace"), out);
    }
    return out;
  }

  // ---- patches ----

  private static void applyPatch(Path file, int index, JsonNode entry, List<Manifest> resources) {
    String where = "patches[" + index + "]";
    if (!entry.isObject()) {
      throw new KustomizeException(file, where + " must be an object with patch or path, and target");
    }
    unknownFields(file, where, entry, PATCH_FIELDS);
    Path source = file;
    JsonNode patch;
    if (entry.has("patch") == entry.has("path")) {
      throw new KustomizeException(file, where + " needs exactly one of patch (inline) and path (a file)");
    } else if (entry.has("patch")) {
      patch = parse(file, where, entry.get("patch").asString());
    } else {
      source = file.getParent().resolve(entry.get("path").asString()).normalize();
      if (!Files.isRegularFile(source)) {
        throw new KustomizeException(file, where + ": patch file '" + entry.get("path").asString()
            + "' does not exist (" + source + ")");
      }
      patch = readSingle(source);
    }
    JsonNode target = entry.get("target");
    if (target != null) {
      unknownFields(file, where + ".target", target, TARGET_FIELDS);
    } else if (patch.isObject()) {
      target = JsonNodeFactory.instance.objectNode().put("kind", patch.path("kind").asString(""))
          .put("name", patch.path("metadata").path("name").asString(""));
    } else {
      throw new KustomizeException(file, where + " is a JSON 6902 patch (a list) and needs a target");
    }
    boolean matched = false;
    for (int r = 0; r < resources.size(); r++) {
      Manifest m = resources.get(r);
      if (!matches(file, where, target, m)) {
        continue;
      }
      matched = true;
      JsonNode patched;
      try {
        patched = patch.isArray() ? JsonPatch6902.apply(m.object(), patch) : StrategicMergePatch.apply(m.object(), patch);
      } catch (IllegalArgumentException e) {
        throw new KustomizeException(source, where + " cannot be applied to " + m.kind() + " " + m.name() + " (from "
            + m.source() + "): " + e.getMessage(), e);
      }
      if (!(patched instanceof ObjectNode o)) {
        throw new KustomizeException(source, where + " turned " + m.kind() + " " + m.name() + " into a non-object");
      }
      resources.set(r, new Manifest(m.source(), o));
    }
    if (!matched) {
      throw new KustomizeException(file, where + " target " + target + " matches no resource");
    }
  }

  private static boolean matches(Path file, String where, JsonNode target, Manifest m) {
    String apiVersion = m.object().path("apiVersion").asString("");
    String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
    return field(file, where, target, "group", m.group()) && field(file, where, target, "version", version)
        && field(file, where, target, "kind", m.kind()) && field(file, where, target, "name", m.name())
        && field(file, where, target, "namespace", m.namespace());
  }

  /** An absent or empty selector field matches anything; a present one is an anchored regex. */
  private static boolean field(Path file, String where, JsonNode target, String name, String actual) {
    String wanted = target.path(name).asString("");
    if (wanted.isEmpty()) {
      return true;
    }
    try {
      return Pattern.matches(wanted, actual);
    } catch (PatternSyntaxException e) {
      throw new KustomizeException(file, where + ".target." + name + " is not a valid pattern: " + e.getMessage(), e);
    }
  }

  // ---- namespace ----

  private static void setNamespace(Path file, JsonNode value, List<Manifest> resources) {
    if (!value.isString() || value.asString().isBlank()) {
      throw new KustomizeException(file, "namespace must be a non-empty string");
    }
    String ns = value.asString();
    Set<String> serviceAccounts = new HashSet<>();
    for (Manifest m : resources) {
      if (m.kind().equals("ServiceAccount")) {
        serviceAccounts.add(m.name());
      }
    }
    for (Manifest m : resources) {
      if (!CLUSTER_SCOPED.contains(m.kind())) {
        metadata(m).put("namespace", ns);
      }
      if ((m.kind().equals("RoleBinding") || m.kind().equals("ClusterRoleBinding")) && m.object().has("subjects")) {
        for (JsonNode s : m.object().get("subjects")) {
          if (s.path("kind").asString("").equals("ServiceAccount") && serviceAccounts.contains(s.path("name").asString(""))
              && s instanceof ObjectNode o) {
            o.put("namespace", ns);
          }
        }
      }
    }
  }

  private static ObjectNode metadata(Manifest m) {
    return m.object().get("metadata") instanceof ObjectNode o ? o : m.object().putObject("metadata");
  }

  // ---- reading ----

  /** Every document of a manifest file; empty documents ("---" at the end) are skipped. */
  static List<Manifest> readManifests(Path file) {
    List<Manifest> out = new ArrayList<>();
    int doc = 0;
    for (JsonNode node : readAll(file)) {
      doc++;
      if (node == null || node.isNull() || node.isMissingNode() || (node.isObject() && node.isEmpty())) {
        continue;
      }
      if (!(node instanceof ObjectNode o) || !o.path("apiVersion").isString() || !o.path("kind").isString()
          || !o.path("metadata").path("name").isString()) {
        throw new KustomizeException(file, "document " + doc + " is not a Kubernetes object (apiVersion, kind and "
            + "metadata.name must be strings)");
      }
      out.add(new Manifest(file, o));
    }
    return out;
  }

  private static List<JsonNode> readAll(Path file) {
    try {
      return YamlReader.readAll(Files.readString(file));
    } catch (InvalidYamlException e) {
      throw new KustomizeException(file, "not valid YAML: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new KustomizeException(file, "cannot read: " + e.getMessage(), e);
    }
  }

  private static JsonNode readSingle(Path file) {
    List<JsonNode> docs = readAll(file);
    if (docs.size() != 1 || docs.get(0) == null || docs.get(0).isNull()) {
      throw new KustomizeException(file, "expected exactly one YAML document, found " + docs.size());
    }
    return docs.get(0);
  }

  private static JsonNode parse(Path file, String where, String text) {
    JsonNode n;
    try {
      n = YamlReader.readOne(text);
    } catch (InvalidYamlException e) {
      throw new KustomizeException(file, where + ".patch is not valid YAML: " + e.getMessage(), e);
    }
    if (!(n.isArray() || n.isObject())) {
      throw new KustomizeException(file, where + ".patch must be a YAML list (JSON 6902) or object (strategic merge)");
    }
    return n;
  }

  private static Iterable<JsonNode> list(Path file, JsonNode k, String field) {
    JsonNode v = k.get(field);
    if (v == null || v.isNull()) {
      return List.of();
    }
    if (!v.isArray()) {
      throw new KustomizeException(file, field + " must be a list");
    }
    return v;
  }

  private static void unknownFields(Path file, String where, JsonNode node, Set<String> allowed) {
    if (!node.isObject()) {
      throw new KustomizeException(file, where + " must be an object");
    }
    for (String f : node.propertyNames()) {
      if (!allowed.contains(f)) {
        throw new KustomizeException(file, "unsupported field '" + f + "' in " + where + " (supported: " + allowed + ")");
      }
    }
  }

  private static void checkUnique(Path file, List<Manifest> resources) {
    Map<String, Manifest> seen = new LinkedHashMap<>();
    for (Manifest m : resources) {
      Manifest before = seen.putIfAbsent(m.id(), m);
      if (before != null) {
        throw new KustomizeException(file, m.kind() + " " + m.name() + " is defined twice: in " + before.source()
            + " and " + m.source());
      }
    }
  }
}
