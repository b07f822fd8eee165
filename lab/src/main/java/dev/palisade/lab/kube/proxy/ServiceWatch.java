package dev.palisade.lab.kube.proxy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The Services and EndpointSlices of the cluster, kept by two informers, for the lab's kube-proxy
 * and DNS server. Informer callbacks only tell listeners that something changed; readers take a
 * {@link #snapshot()} when they do their work. Both informers have listed once when the
 * constructor returns, so the first snapshot is already the whole cluster.
 */
public final class ServiceWatch implements AutoCloseable {
  /** Services and slices read at one moment (each list a copy). */
  public record Snapshot(List<Service> services, List<EndpointSlice> slices) {}

  private final SharedIndexInformer<Service> services;
  private final SharedIndexInformer<EndpointSlice> slices;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  public ServiceWatch(KubernetesClient client) {
    this.services = client.services().inAnyNamespace().inform(new Changed<>(), 0);
    try {
      this.slices = client.discovery().v1().endpointSlices().inAnyNamespace().inform(new Changed<>(), 0);
    } catch (RuntimeException e) {
      services.close();
      throw e;
    }
  }

  /** Called on an informer thread after any change; must only record it and return. */
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  public Snapshot snapshot() {
    return new Snapshot(List.copyOf(services.getStore().list()), List.copyOf(slices.getStore().list()));
  }

  @Override
  public void close() {
    services.close();
    slices.close();
  }

  private final class Changed<T extends HasMetadata> implements ResourceEventHandler<T> {
    @Override
    public void onAdd(T obj) {
      listeners.forEach(Runnable::run);
    }

    @Override
    public void onUpdate(T before, T after) {
      listeners.forEach(Runnable::run);
    }

    @Override
    public void onDelete(T obj, boolean finalStateUnknown) {
      listeners.forEach(Runnable::run);
    }
  }
}
