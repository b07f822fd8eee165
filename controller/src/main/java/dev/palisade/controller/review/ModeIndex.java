package dev.palisade.controller.review;

import dev.palisade.controller.events.ObjectWarnings;
import dev.palisade.model.Mode;
import dev.palisade.model.ObjectProblem;
import dev.palisade.model.WorkloadRef;
import dev.palisade.model.crd.SegmentationMode;
import dev.palisade.model.workload.ModeResolver;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Every workload's mode, from what can set one: SegmentationModes and {@value ModeResolver#ANNOTATION}
 * annotations on namespaces and root owners (the latter ignored when the setting says so). Each
 * change is audited through {@link ModeAudit} with who made it, then the modes are resolved again
 * (a bad setting told on its object by {@link ModeProblems}) and {@code onChanged} runs. Handlers
 * hand their work to the controller's loop thread, where every other method is called.
 */
public final class ModeIndex {
  private final Mode defaultMode;
  private final boolean workloadAnnotations;
  private final ModeAudit audit;
  private final ModeProblems problems;
  private final Consumer<Runnable> submit;
  private final BooleanSupplier ready;
  private final Runnable onChanged;
  private final Map<String, String> namespaceModes = new HashMap<>();
  private final Map<String, String> workloadModes = new HashMap<>();
  /** {@link ObjectProblem#where} of each annotated object -> the object when its annotation took its value. */
  private final Map<String, ModeProblems.Subject> annotated = new HashMap<>();
  private SharedIndexInformer<SegmentationMode> modes;
  private ModeResolver resolver;

  /**
   * @param workloadAnnotations whether annotations on root owners set modes (off in production)
   * @param submit runs a task on the controller's loop
   * @param ready whether the controller has synced (changes seen before are audited "seen at start")
   * @param onChanged on the loop, after the modes were resolved again
   */
  public ModeIndex(Mode defaultMode, boolean workloadAnnotations, ModeAudit audit, ModeProblems problems,
      Consumer<Runnable> submit, BooleanSupplier ready, Runnable onChanged) {
    this.defaultMode = defaultMode;
    this.workloadAnnotations = workloadAnnotations;
    this.audit = audit;
    this.problems = problems;
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
        String where = ObjectProblem.where(kind == null ? "Namespace" : kind, o.getMetadata().getNamespace(),
            o.getMetadata().getName());
        if (value == null) {
          annotated.remove(where);
        } else {
          // the annotation's own version (its managedFields entry), not the object's: its status and
          // other edits move the resourceVersion, and a restart must not tell the same value again
          ObjectReference ref = ObjectWarnings.referenceTo(o);
          annotated.put(where, new ModeProblems.Subject(ref,
              AnnotationVersion.of(o, ModeResolver.ANNOTATION).orElse(ref.getResourceVersion())));
        }
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
    List<ObjectProblem> found = new ArrayList<>();
    resolver = new ModeResolver(modes.getStore().list(), namespaceModes,
        workloadAnnotations ? workloadModes : Map.of(), defaultMode, found::add);
    problems.latest(found, this::objectOf);
    onChanged.run();
  }

  /** The object a problem is about: the SegmentationMode as it is, an annotated object as its annotation was set. */
  private ModeProblems.Subject objectOf(ObjectProblem p) {
    HasMetadata o = "SegmentationMode".equals(p.kind()) ? modes.getStore().getByKey(p.namespace() + "/" + p.name())
        : null;
    if (o != null) {
      ObjectReference ref = ObjectWarnings.referenceTo(o);
      return new ModeProblems.Subject(ref, ref.getResourceVersion());
    }
    ModeProblems.Subject known = annotated.get(p.where());
    // not expected (every setting resolved comes from an object seen): still say which one
    return known != null ? known : new ModeProblems.Subject(new ObjectReferenceBuilder().withKind(p.kind())
        .withNamespace(p.namespace()).withName(p.name()).build(), "");
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
