package dev.palisade.controller.persist;

import dev.palisade.model.crd.LearnedFlows;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.net.HttpURLConnection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link LearnedFlowsWriter.Store} on the API server that never writes over, or deletes, an object
 * of another holder ({@link LearnedFlowsHolder#of}: another source, or none), wherever and whenever
 * it was made: the server decides, not what this process last saw. A write is a PUT conditioned on
 * the resourceVersion of the object as this store last wrote or listed it, known to be of the same
 * holder, or a create when none is known; either refused (409: it changed, or something is there;
 * 404: it went), the object there is read, and written at its version only if it is of the same
 * holder. One PUT when nobody wrote in between, as {@code LastVersionWriter} (which writes over
 * anything: fine for AllowLists, which only the controller keeps) made it.
 *
 * <p>Not thread-safe: the writer's thread.
 */
final class ApiLearnedFlowsStore implements LearnedFlowsWriter.Store {
  private static final Logger LOG = LoggerFactory.getLogger(ApiLearnedFlowsStore.class);
  /** Reads and writes of one object before a write gives up (retried by the writer with back-off). */
  private static final int ROUNDS = 5;

  private final KubernetesClient client;
  /** NS/NAME -> the resourceVersion of the object there as last written or listed, of the holder it names. */
  private final Map<String, String> versions = new HashMap<>();

  ApiLearnedFlowsStore(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public void listed(LearnedFlows stored) {
    if (LearnedFlowsHolder.of(stored) != null && stored.getMetadata().getResourceVersion() != null) {
      versions.put(key(stored), stored.getMetadata().getResourceVersion());
    }
  }

  @Override
  public boolean write(LearnedFlows object) {
    String key = key(object);
    LearnedFlowsHolder mine = LearnedFlowsHolder.of(object);
    String at = versions.remove(key);
    for (int round = 0; round < ROUNDS; round++) {
      LearnedFlows put = client.getKubernetesSerialization().clone(object);
      put.getMetadata().setResourceVersion(at);
      try {
        LearnedFlows written = at == null ? resource(put).create() : resource(put).update();
        versions.put(key, written.getMetadata().getResourceVersion());
        return true;
      } catch (KubernetesClientException e) {
        boolean refused = e.getCode() == HttpURLConnection.HTTP_CONFLICT
            || (at != null && e.getCode() == HttpURLConnection.HTTP_NOT_FOUND);
        if (!refused) {
          throw e;
        }
      }
      LearnedFlows there = resource(object).get();
      if (there == null) {
        at = null; // gone since: made anew
      } else if (mine != null && mine.equals(LearnedFlowsHolder.of(there))) {
        at = there.getMetadata().getResourceVersion(); // its holder's still: written at its version
      } else {
        LOG.warn("LearnedFlows {} holds {}, not {}'s: not written over", key, describe(there), mine);
        return false;
      }
    }
    throw new IllegalStateException("LearnedFlows " + key + " changed under " + ROUNDS + " writes in a row");
  }

  @Override
  public void delete(String namespace, String name, String holder) {
    String key = namespace + "/" + name;
    versions.remove(key);
    Resource<LearnedFlows> r = client.resources(LearnedFlows.class).inNamespace(namespace).withName(name);
    LearnedFlows there = r.get();
    if (there == null) {
      return;
    }
    LearnedFlowsHolder theirs = LearnedFlowsHolder.of(there);
    if (theirs == null || !theirs.text().equals(holder)) {
      LOG.warn("LearnedFlows {} holds {}, no longer {}'s: not deleted", key, describe(there), holder);
      return;
    }
    try {
      // at the version read: an object written since (by anyone) is not deleted unseen
      r.lockResourceVersion(there.getMetadata().getResourceVersion()).delete();
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT && e.getCode() != HttpURLConnection.HTTP_NOT_FOUND) {
        throw e;
      }
      LOG.info("LearnedFlows {} changed or went before its delete: left", key);
    }
  }

  private static String key(LearnedFlows o) {
    return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
  }

  private Resource<LearnedFlows> resource(LearnedFlows o) {
    return client.resources(LearnedFlows.class).inNamespace(o.getMetadata().getNamespace()).resource(o);
  }

  private static String describe(LearnedFlows o) {
    LearnedFlowsHolder h = LearnedFlowsHolder.of(o);
    return h != null ? "the edges of " + h
        : "no edges of ours (source " + Objects.toString(o.getSpec() == null ? null : o.getSpec().source) + ")";
  }
}
