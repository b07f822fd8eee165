package dev.palisade.controller.publish;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.net.HttpURLConnection;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes objects the controller alone keeps up to date (AllowLists) in one request
 * when it can: a PUT at the resourceVersion its own last write of the object returned. Create-or-
 * update costs three (a POST refused 409 as the object exists, a GET for its resourceVersion, the
 * PUT), and a review decision writes several objects before it answers. When the stored version is
 * not that one (someone else wrote the object, or deleted it: 409 or 404) the write falls back to
 * create-or-update, so what lands is the same: the object as given, over whatever was there.
 *
 * <p>Not thread-safe: callers serialize writes (the loop thread, or the reconciler's lock).
 */
public final class LastVersionWriter {
  private final KubernetesClient client;
  /** NAMESPACE/NAME of a kind -> the resourceVersion this writer's last write returned. */
  private final Map<String, String> lastWritten = new HashMap<>();

  public LastVersionWriter(KubernetesClient client) {
    this.client = client;
  }

  /** Writes {@code object} (its resourceVersion is ignored); the object as stored. */
  public <T extends HasMetadata> T write(T object) {
    String key = key(object);
    @SuppressWarnings("unchecked")
    Class<T> type = (Class<T>) object.getClass();
    T written = write(client, type, object, lastWritten.get(key));
    String version = written.getMetadata().getResourceVersion();
    if (version == null) {
      lastWritten.remove(key);
    } else {
      lastWritten.put(key, version);
    }
    return written;
  }

  /**
   * Writes {@code object} with one PUT at {@code knownVersion} (null: not known), else or when that
   * fails with 409 or 404 by create-or-update; {@code object} is not changed.
   */
  public static <T extends HasMetadata> T write(KubernetesClient client, Class<T> type, T object, String knownVersion) {
    String namespace = object.getMetadata().getNamespace();
    if (knownVersion != null) {
      T at = client.getKubernetesSerialization().clone(object);
      at.getMetadata().setResourceVersion(knownVersion);
      try {
        return client.resources(type).inNamespace(namespace).resource(at).update();
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT && e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
          throw e;
        }
        // not the version we wrote last: someone else's write or deletion came between
      }
    }
    T fresh = client.getKubernetesSerialization().clone(object);
    fresh.getMetadata().setResourceVersion(null);
    return client.resources(type).inNamespace(namespace).resource(fresh).createOr(NonDeletingOperation::update);
  }

  private static String key(HasMetadata o) {
    return o.getKind() + " " + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
  }
}
