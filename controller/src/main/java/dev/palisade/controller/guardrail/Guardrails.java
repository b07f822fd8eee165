package dev.palisade.controller.guardrail;

import dev.palisade.controller.access.ControllerAccess;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.controller.review.AuditLog;
import dev.palisade.dataplane.netpol.ClusterPolicyInformers;
import dev.palisade.model.cnp.ClusterNetworkPolicy;
import dev.palisade.model.cnp.ClusterNetworkPolicyReader;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Org guardrails routing what is learned (issue 19): the Admin tier of ClusterNetworkPolicy
 * decides which learned edges need a human.
 *
 * <pre>
 *   ClusterNetworkPolicy informers ─┐
 *   pods, namespaces, new edges ────┴─ due() ─(debounce)─ judge on the loop:
 *     EdgeGuardrails.judge (pure) ─ GuardrailRouting.apply (audit, then in force) ─ onChanged (recompile)
 * </pre>
 *
 * Policies that cannot be enforced are left out here as the agents leave them out of the kernel
 * (the agents put a Warning Event on them), so an edge is never judged by a rule the kernel does
 * not hold.
 */
public final class Guardrails {
  private static final Logger LOG = LoggerFactory.getLogger(Guardrails.class);
  /** However many pods and edges change at once, one judgement per this. */
  static final long DEBOUNCE_MILLIS = 200;

  /** What the judgement reads of the controller's state, on the loop. */
  public interface Cluster {
    Collection<EdgeKey> edges();

    /** Live pods by workload vertex ({@code NS/KIND/NAME}). */
    Map<String, List<Pod>> podsByWorkload();

    List<Namespace> namespaces();
  }

  private final KubernetesClient client;
  private final Consumer<Runnable> submit;
  private final ScheduledExecutorService timer;
  private final Cluster cluster;
  private final Consumer<Set<EdgeKey>> onChanged;
  private final GuardrailRouting routing;
  private final List<SharedIndexInformer<GenericKubernetesResource>> informers = new ArrayList<>();
  /** How to write each kind's status, by kind. */
  private final Map<String, ResourceDefinitionContext> contexts = new java.util.HashMap<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  /**
   * Set by the first {@link #judgeNow}, which the controller calls once every informer has listed:
   * before that, a judgement would read half-filled stores (no policies yet) and release every
   * verdict read back from the audit log.
   */
  private volatile boolean synced;
  private final Set<String> told = new HashSet<>();

  /**
   * @param submit runs a task on the controller's loop
   * @param onChanged on the loop: edges whose verdict in force changed
   */
  public Guardrails(KubernetesClient client, AuditLog audit, Consumer<Runnable> submit, ScheduledExecutorService timer,
      Cluster cluster, Consumer<Set<EdgeKey>> onChanged) {
    this.client = client;
    this.submit = submit;
    this.timer = timer;
    this.cluster = cluster;
    this.onChanged = onChanged;
    this.routing = new GuardrailRouting(audit);
  }

  /** Makes the informers of the kinds the API server serves (not started): the caller starts and awaits them. */
  public List<SharedIndexInformer<GenericKubernetesResource>> informers() {
    // the Baseline tier routes nothing, but palisade why walks it as the agents do
    ClusterPolicyInformers.served(client, ControllerAccess.DECLARED, "controller's guardrails").forEach((kind, i) -> {
      i.addEventHandler(dueOnChange());
      informers.add(i);
      contexts.put(kind.kind(), kind.context());
    });
    return List.copyOf(informers);
  }

  /** An informer handler that asks for a judgement on every event. */
  public <T> ResourceEventHandler<T> dueOnChange() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T o) {
        due();
      }

      @Override
      public void onUpdate(T a, T b) {
        due();
      }

      @Override
      public void onDelete(T o, boolean unknown) {
        due();
      }
    };
  }

  /** Something the verdicts depend on changed: judge again soon (any thread). */
  public void due() {
    if (synced && scheduled.compareAndSet(false, true)) {
      timer.schedule(() -> submit.accept(() -> {
        scheduled.set(false);
        judgeNow();
      }), DEBOUNCE_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  /** Judges every edge now and puts what changed in force (loop thread). */
  public void judgeNow() {
    synced = true;
    writeConditions();
    Set<EdgeKey> changed = routing.apply(EdgeGuardrails.judge(cluster.edges(), policies(), cluster.namespaces(),
        cluster.podsByWorkload()));
    if (!changed.isEmpty()) {
      onChanged.accept(changed);
    }
    if (routing.owesEntries()) {
      timer.schedule(this::due, 1, TimeUnit.SECONDS);
    }
  }

  /** Each policy's {@link ClusterPolicyStatus#TYPE} condition, written where it changed (loop thread). */
  private void writeConditions() {
    for (SharedIndexInformer<GenericKubernetesResource> i : informers) {
      for (GenericKubernetesResource o : i.getStore().list()) {
        GenericKubernetesResource updated = ClusterPolicyStatus.withCondition(o, ClusterPolicyStatus.of(o),
            java.time.Instant.now());
        if (updated == null) {
          continue;
        }
        try {
          client.genericKubernetesResources(contexts.get(o.getKind())).resource(updated).updateStatus();
        } catch (KubernetesClientException e) {
          // a conflict: the informer's newer copy brings another round; anything else is told once
          if (e.getCode() != 409 && told.add("status " + o.getKind() + " " + o.getMetadata().getName() + e.getCode())) {
            LOG.warn("cannot write the status of {} {}: {}", o.getKind(), o.getMetadata().getName(), e.getMessage());
          }
        }
      }
    }
  }

  /** The Admin and Baseline policies the agents enforce (valid ones; v1alpha1 Admin translated). */
  public List<ClusterNetworkPolicy> policies() {
    List<ClusterNetworkPolicy> out = new ArrayList<>();
    for (SharedIndexInformer<GenericKubernetesResource> i : informers) {
      for (GenericKubernetesResource o : i.getStore().list()) {
        try {
          out.add(ClusterNetworkPolicyReader.read(o));
        } catch (RuntimeException e) {
          String name = o.getKind() + " " + (o.getMetadata() == null ? "?" : o.getMetadata().getName());
          if (told.add(name + ": " + e.getMessage())) {
            LOG.warn("{} is not enforced, so it routes nothing: {}", name, e.getMessage());
          }
        }
      }
    }
    return out;
  }

  /** The raw objects, for the why endpoint (which reads them as the agents do). */
  public List<GenericKubernetesResource> objects() {
    return informers.stream().flatMap(i -> i.getStore().list().stream()).toList();
  }

  public GuardrailRouting routing() {
    return routing;
  }
}
