package dev.palisade.controller.events;

import dev.palisade.controller.events.EventCorrelator.Key;
import dev.palisade.controller.events.EventCorrelator.Write;
import dev.palisade.dataplane.netpol.IsolatingPolicies;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Writes {@link DropEvents}' Events to the API server: a create for a new aggregate, a merge patch
 * of count and lastTimestamp for a repeat (verbs create and patch on events, declared in
 * ControllerAccess). The name is derived from the key, so it is found again after a restart: a
 * create that finds the Event already there becomes a patch.
 */
public final class KubeEventSink implements DropEvents.EventSink {
  private static final Map<String, String> API_VERSIONS = Map.of("Deployment", "apps/v1", "StatefulSet", "apps/v1",
      "DaemonSet", "apps/v1", "ReplicaSet", "apps/v1", "Job", "batch/v1", "CronJob", "batch/v1", "Pod", "v1",
      "ReplicationController", "v1");

  private final KubernetesClient client;

  public KubeEventSink(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public void create(Write w, String message) {
    Key k = w.key();
    String[] involved = k.involved().split("/");
    try {
      client.v1().events().inNamespace(k.namespace()).resource(new EventBuilder()
          .withNewMetadata().withNamespace(k.namespace()).withName(name(k)).endMetadata()
          .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(apiVersionOf(involved[1]))
              .withKind(involved[1]).withNamespace(involved[0]).withName(involved[2]).build())
          .withType(k.type()).withReason(k.reason()).withMessage(message)
          .withNewSource().withComponent("palisade-controller").endSource()
          .withFirstTimestamp(Instant.ofEpochMilli(w.firstMillis()).toString())
          .withLastTimestamp(Instant.ofEpochMilli(w.lastMillis()).toString())
          .withCount((int) Math.min(Integer.MAX_VALUE, w.count()))
          .build()).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      patch(w); // written before a restart: carry on counting on it
    }
  }

  @Override
  public void patch(Write w) {
    client.v1().events().inNamespace(w.key().namespace()).withName(name(w.key())).patch(
        PatchContext.of(PatchType.JSON_MERGE), "{\"count\":" + Math.min(Integer.MAX_VALUE, w.count())
            + ",\"lastTimestamp\":\"" + Instant.ofEpochMilli(w.lastMillis()) + "\"}");
  }

  @Override
  public List<String> isolatingPolicies(String pod, boolean ingress) {
    String[] p = pod.split("/", 2);
    Pod found = p.length == 2 ? client.pods().inNamespace(p[0]).withName(p[1]).get() : null;
    if (found == null) {
      return List.of();
    }
    return IsolatingPolicies.of(client.network().v1().networkPolicies().inNamespace(p[0]).list().getItems(), found,
        ingress);
  }

  /** The apiVersion of a workload kind (Deployment: apps/v1). */
  static String apiVersionOf(String kind) {
    return API_VERSIONS.getOrDefault(kind, "v1");
  }

  /** involved-name.HASH: stable per key, a valid object name. */
  static String name(Key k) {
    String hash = UUID.nameUUIDFromBytes(k.toString().getBytes(StandardCharsets.UTF_8)).toString().replace("-", "")
        .substring(0, 16);
    String base = k.involved().split("/")[2].toLowerCase(Locale.ROOT);
    return (base.length() > 200 ? base.substring(0, 200) : base) + "." + hash;
  }
}
