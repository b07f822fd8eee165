package dev.palisade.lab.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Path;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * One rendered object and the file it came from, so that a problem found later (a wrong field
 * type when the object is read as its Kubernetes type) still names the file to fix.
 */
public record Manifest(Path source, ObjectNode object) {
  private static final KubernetesSerialization KUBE = new KubernetesSerialization();
  private static final JsonMapper JSON = JsonMapper.builder().build();

  public String kind() {
    return object.path("kind").asString("");
  }

  public String name() {
    return object.path("metadata").path("name").asString("");
  }

  /** Empty for cluster-scoped objects and namespaced ones that leave it to the client. */
  public String namespace() {
    return object.path("metadata").path("namespace").asString("");
  }

  /** apiVersion's group: "" for the core group ("v1"). */
  public String group() {
    String apiVersion = object.path("apiVersion").asString("");
    int slash = apiVersion.indexOf('/');
    return slash < 0 ? "" : apiVersion.substring(0, slash);
  }

  /** kustomize's resource id, unique within one rendering. */
  public String id() {
    return group() + "/" + kind() + "/" + (namespace().isEmpty() ? "~" : namespace()) + "/" + name();
  }

  /**
   * The object as fabric8's type for its apiVersion and kind (Deployment, ClusterRole, ...). A field
   * of the wrong type (replicas: "two") fails here, naming the source file.
   */
  public HasMetadata typed() {
    Object value;
    try {
      value = KUBE.unmarshal(JSON.writeValueAsString(object));
    } catch (RuntimeException e) {
      throw new KustomizeException(source, kind() + " " + name() + " is not a valid " + object.path("apiVersion")
          .asString("?") + " " + kind() + ": " + rootMessage(e), e);
    }
    if (!(value instanceof HasMetadata typed)) {
      throw new KustomizeException(source, kind() + " " + name() + " is not a Kubernetes object");
    }
    return typed;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return m.replaceAll("\\s*\\n\\s*", " ");
  }
}
