package dev.palisade.controller.approved;

import dev.palisade.model.crd.ApprovedGraph;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's hook for ApprovedGraph objects: its informer's events only ask for a rebuild
 * (on the controller's loop, through {@code submit}); the rebuild makes a fresh
 * {@link ApprovedGraphIndex} from the informer's store and hands it on. Loop thread only.
 */
public final class ApprovedGraphWatch {
  private static final Logger LOG = LoggerFactory.getLogger(ApprovedGraphWatch.class);

  private SharedIndexInformer<ApprovedGraph> informer;
  private ApprovedGraphIndex index = ApprovedGraphIndex.EMPTY;
  /** The objects the index was built from (the store may be ahead of it until the rebuild runs). */
  private List<ApprovedGraph> objects = List.of();

  /**
   * The handler for the informer: every event runs {@code onChange} on the loop after the index
   * was rebuilt.
   *
   * @param submit runs a task on the controller's loop
   * @param onChange what to do with the new index (recompile), on the loop
   */
  public ResourceEventHandler<ApprovedGraph> handler(java.util.function.Consumer<Runnable> submit, Runnable onChange) {
    Runnable rebuild = () -> {
      objects = List.copyOf(informer.getStore().list());
      index = ApprovedGraphIndex.of(objects, LOG::warn);
      onChange.run();
    };
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(ApprovedGraph o) {
        submit.accept(rebuild);
      }

      @Override
      public void onUpdate(ApprovedGraph a, ApprovedGraph b) {
        submit.accept(rebuild);
      }

      @Override
      public void onDelete(ApprovedGraph o, boolean unknown) {
        submit.accept(rebuild);
      }
    };
  }

  /** The informer whose store the rebuild reads (set once, before it starts). */
  public void watching(SharedIndexInformer<ApprovedGraph> informer) {
    this.informer = informer;
  }

  /** The objects of the newest index, for the YAML of a change to commit in git (loop thread). */
  public java.util.Collection<ApprovedGraph> objects() {
    return objects;
  }

  /** The newest index (loop thread). */
  public ApprovedGraphIndex index() {
    return index;
  }
}
