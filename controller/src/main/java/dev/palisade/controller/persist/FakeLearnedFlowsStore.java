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
 * reach the store.
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
  public void write(LearnedFlows object) {
    apply(new Op(key(object), JSON.clone(object)));
  }

  @Override
  public void delete(String namespace, String name) {
    apply(new Op(namespace + "/" + name, null));
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
