package dev.palisade.controller.review;

import dev.palisade.model.Mode;
import dev.palisade.model.WorkloadRef;
import dev.palisade.model.crd.SegmentationMode;
import dev.palisade.model.workload.ModeResolver;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every workload's mode, from what can set one: SegmentationModes and {@value ModeResolver#ANNOTATION}
 * annotations on namespaces and root owners (the latter ignored when the setting says so). Each
 * change is audited through {@link ModeAudit} with who made it, then the modes are resolved again
 * and {@code onChanged} runs. Handlers hand their work to the controller's loop thread, where
 * every other method is called.
 */
public final class ModeIndex {
  private static final Logger LOG = LoggerFactory.getLogger(ModeIndex.class);

  private final Mode defaultMode;
  private final boolean workloadAnnotations;
  private final ModeAudit audit;
  private final Consumer<Runnable> submit;
  private final BooleanSupplier ready;
  private final Runnable onChanged;
  private final Map<String, String> namespaceModes = new HashMap<>();
  private final Map<String, String> workloadModes = new HashMap<>();
  private SharedIndexInformer<SegmentationMode> modes;
  private ModeResolver resolver;

  /**
   * @param workloadAnnotations whether annotations on root owners set modes (off in production)
   * @param submit runs a task on the controller's loop
   * @param ready whether the controller has synced (changes seen before are audited "seen at start")
   * @param onChanged on the loop, after the modes were resolved again
   */
  public ModeIndex(Mode defaultMode, boolean workloadAnnotations, ModeAudit audit, Consumer<Runnable> submit,
      BooleanSupplier ready, Runnable onChanged) {
    this.defaultMode = defaultMode;
    this.workloadAnnotations = workloadAnnotations;
    this.audit = audit;
    this.submit = submit;
    this.ready = ready;
    this.onChanged = onChanged;
  }

  /** The SegmentationMode informer, whose handler is {@link #segmentationModes}. */
  public void watching(SharedIndexInformer<SegmentationMode> informer) {
    this.modes = informer;
  }

  public List<SegmentationMode> segmentationModeObjects() {
    return modes.getStore().list();
  }

  /**
   * Tracks the annotation of namespaces (kind null) or root owners of a kind; modes are resolved
   * again only when a value changes, not on every status update.
   */
  public <T extends HasMetadata> ResourceEventHandler<T> annotations(String kind) {
    return handler((o, deleted) -> submit.accept(() -> {
      String key = kind == null ? o.getMetadata().getName()
          : o.getMetadata().getNamespace() + "/" + kind + "/" + o.getMetadata().getName();
      Map<String, String> into = kind == null ? namespaceModes : workloadModes;
      String value = deleted ? null : ModeResolver.annotationOf(o);
      String old = value == null ? into.remove(key) : into.put(key, value);
      if (!Objects.equals(old, value)) {
        audit.annotation(key, value, o.getMetadata().getManagedFields(), !ready.getAsBoolean(),
            kind != null && !workloadAnnotations);
        if (modes != null && modes.hasSynced()) {
          resolve();
        }
      }
    }));
  }

  /** SegmentationModes: each change audited unless the log already says it (the API's own), then modes resolved. */
  public ResourceEventHandler<SegmentationMode> segmentationModes() {
    return handler((m, deleted) -> submit.accept(() -> {
      String ns = m.getMetadata().getNamespace();
      String workload = m.getSpec() == null ? null : m.getSpec().workload;
      String target = workload == null || workload.isBlank() ? ns : ns + "/" + workload;
      audit.segmentationMode(target, deleted || m.getSpec() == null ? null : m.getSpec().mode,
          m.getMetadata().getManagedFields(), !ready.getAsBoolean());
      resolve();
    }));
  }

  /** Resolves every mode again from what is known now, then tells {@code onChanged}. */
  public void resolve() {
    resolver = new ModeResolver(modes.getStore().list(), namespaceModes,
        workloadAnnotations ? workloadModes : Map.of(), defaultMode, problem -> LOG.warn("{}", problem));
    onChanged.run();
  }

  /** A workload's mode (the default until the first {@link #resolve}). */
  public Mode modeOf(WorkloadRef w) {
    return resolver == null ? defaultMode : resolver.modeOf(w);
  }

  private static <T> ResourceEventHandler<T> handler(BiConsumer<T, Boolean> on) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T o) {
        on.accept(o, false);
      }

      @Override
      public void onUpdate(T a, T b) {
        on.accept(b, false);
      }

      @Override
      public void onDelete(T o, boolean unknown) {
        on.accept(o, true);
      }
    };
  }
}
