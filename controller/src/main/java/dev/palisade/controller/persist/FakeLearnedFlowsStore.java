package dev.palisade.controller.persist;

import dev.palisade.model.crd.LearnedFlows;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@link LearnedFlowsWriter}'s store in memory, kept as the API server keeps LearnedFlows: objects
 * by NAMESPACE/NAME, listed in that order. It also logs every write and delete in the order the
 * writer issued them, so that a test can stop the writer after any one of them (a kill) and
 * restore from what was stored by then. Objects are copied in: the writer's later changes do not
 * reach the store. As the API server's store does, it writes over and deletes only an object of
 * the same holder ({@link LearnedFlowsHolder#of}); a write or delete it refuses is not logged.
 */
public final class FakeLearnedFlowsStore implements LearnedFlowsWriter.Store {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  /** One write of the object at NAMESPACE/NAME, or its delete (no object). */
  public record Op(String key, LearnedFlows object) {
    /** What the store holds after this operation. */
    public void applyTo(Map<String, LearnedFlows> objects) {
      if (object == null) {
        objects.remove(key);
      } else {
        objects.put(key, object);
      }
    }
  }

  private final Map<String, LearnedFlows> objects = new TreeMap<>();
  private final List<Op> log = new ArrayList<>();

  @Override
  public boolean write(LearnedFlows object) {
    LearnedFlows there = objects.get(key(object));
    LearnedFlowsHolder mine = LearnedFlowsHolder.of(object);
    if (there != null && (mine == null || !mine.equals(LearnedFlowsHolder.of(there)))) {
      return false;
    }
    apply(new Op(key(object), JSON.clone(object)));
    return true;
  }

  @Override
  public void delete(String namespace, String name, String holder) {
    LearnedFlows there = objects.get(namespace + "/" + name);
    LearnedFlowsHolder theirs = there == null ? null : LearnedFlowsHolder.of(there);
    if (theirs != null && theirs.text().equals(holder)) {
      apply(new Op(namespace + "/" + name, null));
    }
  }


  private void apply(Op op) {
    op.applyTo(objects);
    log.add(op);
  }

  /** The stored objects by NAMESPACE/NAME, in the order a list gives them; a copy. */
  public Map<String, LearnedFlows> objects() {
    return new TreeMap<>(objects);
  }

  /** Every write and delete since this store was made, in order. */
  public List<Op> log() {
    return List.copyOf(log);
  }

  static String key(LearnedFlows o) {
    return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
  }
}
