package dev.palisade.controller.events;

import dev.palisade.model.ObjectProblem;
import dev.palisade.model.ProblemEventName;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Warning Event on an object its author must fix (what {@code kubectl describe} shows), once per
 * version of it: seeing the same version again (an informer's resync, the next mode resolution)
 * writes nothing, a new version is told, and a problem that went away ({@link #forget},
 * {@link #retainOnly}) and came back in a new version is told again. A write that fails is
 * forgotten as well, so the next sight of the object tries again; the caller's log line tells
 * meanwhile. Writes run on the executor given, so a caller on a busy thread need not wait for the
 * API server.
 *
 * <p>Once per version cluster-wide and across restarts, not only in this process's memory: the
 * Event's name is the problem's ({@link ProblemEventName}: the object, its uid, the version, the
 * reason and the message), so a restarted controller, or a second one, that tells the same problem
 * again is refused as AlreadyExists: already told. A problem fixed and made again is made in a new
 * version of the object (versions do not come back), so it gets an Event of its own. Events expire
 * (after an hour by default): a problem seen again after that is told again.
 */
public final class ObjectWarnings {
  private static final Logger LOG = LoggerFactory.getLogger(ObjectWarnings.class);

  private final KubernetesClient client;
  private final String reason;
  private final Executor writes;
  /** {@link ObjectProblem#where} of the object -> the version told (or being told). */
  private final Map<String, String> told = new ConcurrentHashMap<>();

  public ObjectWarnings(KubernetesClient client, String reason, Executor writes) {
    this.client = client;
    this.reason = reason;
    this.writes = writes;
  }

  /** A reference to the object as it is now (kind, namespace, name, uid and resourceVersion). */
  public static ObjectReference referenceTo(HasMetadata o) {
    return new ObjectReferenceBuilder()
        .withApiVersion(o.getApiVersion() != null ? o.getApiVersion() : HasMetadata.getApiVersion(o.getClass()))
        .withKind(o.getKind() != null ? o.getKind() : HasMetadata.getKind(o.getClass()))
        .withNamespace(o.getMetadata().getNamespace()).withName(o.getMetadata().getName())
        .withUid(o.getMetadata().getUid()).withResourceVersion(o.getMetadata().getResourceVersion()).build();
  }

  /**
   * Writes a Warning Event saying {@code message} on the object, unless this version of it was told.
   *
   * @return whether it is told now (false: this version was told already)
   */
  public boolean warn(ObjectReference about, String version, String message) {
    String key = keyOf(about);
    if (version.equals(told.put(key, version))) {
      return false;
    }
    writes.execute(() -> write(about, key, version, message));
    return true;
  }

  /** The object is fine again (or gone): its next problem is told. */
  public void forget(ObjectReference about) {
    told.remove(keyOf(about));
  }

  /** Every object but these is fine again (or gone). */
  public void retainOnly(Collection<ObjectReference> stillWrong) {
    Set<String> keep = stillWrong.stream().map(ObjectWarnings::keyOf).collect(Collectors.toSet());
    told.keySet().retainAll(keep);
  }

  private static String keyOf(ObjectReference r) {
    return ObjectProblem.where(r.getKind(), r.getNamespace(), r.getName());
  }

  private void write(ObjectReference about, String key, String version, String message) {
    // the API server keeps a cluster-scoped object's Events (a Namespace's) in "default" only
    String ns = about.getNamespace() == null ? "default" : about.getNamespace();
    String name = nameOf(about, version, message);
    String now = Instant.now().toString();
    try {
      client.v1().events().inNamespace(ns).resource(new EventBuilder()
          .withNewMetadata()
          .withNamespace(ns)
          .withName(name)
          .endMetadata()
          .withInvolvedObject(about)
          .withType("Warning").withReason(reason).withMessage(message)
          .withNewSource().withComponent("palisade-controller").endSource()
          .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
          .build()).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        LOG.debug("{} was told already (Event {}/{})", key, ns, name);
        return;
      }
      LOG.warn("could not record the Event for {}: {}", key, e.getMessage());
      told.remove(key, version);
    }
  }

  /** The name of the one Event that tells this version of the object's problem, in {@code reason}'s words. */
  String nameOf(ObjectReference about, String version, String message) {
    return ProblemEventName.of(about.getName(), about.getKind(), about.getNamespace(), about.getName(), about.getUid(),
        version, reason, message);
  }
}
