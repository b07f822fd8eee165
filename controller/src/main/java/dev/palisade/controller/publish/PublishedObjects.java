package dev.palisade.controller.publish;

import dev.palisade.controller.access.ControllerAccess;
import dev.palisade.model.Mode;
import dev.palisade.model.crd.AllowList;
import dev.palisade.model.crd.ClusterDefaults;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.function.Consumer;

/**
 * Everything the controller publishes for the agents, each kind kept as written by its
 * {@link ObjectReconciler}: the AllowLists, and the cluster-wide defaults (ConfigMap
 * {@value ClusterDefaults#CONFIG_MAP} in the controller's own namespace). The controller makes the
 * AllowList informer with its others and hands it {@link #allowLists()}'s handler; the ConfigMap
 * informer, one namespace only, is made here.
 */
public final class PublishedObjects implements AutoCloseable {
  private final KubernetesClient client;
  private final String namespace;
  private final ObjectReconciler<AllowList> allowLists;
  private final ObjectReconciler<ConfigMap> defaults;

  /**
   * @param namespace the controller's own (POD_NAMESPACE)
   * @param onTamper told of each deletion or edit by someone else (under a lock: only hand it on)
   */
  public PublishedObjects(KubernetesClient client, String namespace, Backoff backoff, Consumer<Tamper> onTamper) {
    this.client = client;
    this.namespace = namespace;
    this.allowLists = new ObjectReconciler<>(client, OwnedKind.ALLOW_LISTS, backoff, onTamper);
    this.defaults = new ObjectReconciler<>(client, OwnedKind.CONFIG_MAPS, backoff, onTamper);
  }

  public ObjectReconciler<AllowList> allowLists() {
    return allowLists;
  }

  /** Adopts the defaults an earlier run wrote, so that the informer's first sight of them is no tampering. */
  public void restoreDefaults() {
    ConfigMap own = client.configMaps().inNamespace(namespace).withName(ClusterDefaults.CONFIG_MAP).get();
    if (own != null) {
      defaults.adopt(own);
    }
  }

  /** An informer (not started) of the ConfigMaps in the controller's namespace, judged by the defaults' reconciler. */
  public SharedIndexInformer<ConfigMap> defaultsInformer() {
    ControllerAccess.DECLARED.requireWatch(ConfigMap.class, namespace);
    SharedIndexInformer<ConfigMap> informer = client.configMaps().inNamespace(namespace).runnableInformer(0);
    informer.addEventHandler(defaults.handler());
    return informer;
  }

  /**
   * Publishes {@code mode} as the cluster-wide default, and whether workload mode annotations are
   * honoured (written now, retried if that fails).
   */
  public void publishDefaults(Mode mode, boolean workloadAnnotationsHonoured) {
    defaults.put(ClusterDefaults.configMap(namespace, mode, workloadAnnotationsHonoured));
  }

  /** Deletions and edits by someone else written back since start (a counter for metrics). */
  public long repairs() {
    return allowLists.repairs() + defaults.repairs();
  }

  /** Writes that failed (API errors) and were scheduled again, since start. */
  public long failedWrites() {
    return allowLists.failedWrites() + defaults.failedWrites();
  }

  /** Objects not yet written as wanted: a failed write or a repair is due. */
  public int pending() {
    return allowLists.pending() + defaults.pending();
  }

  @Override
  public void close() {
    allowLists.close();
    defaults.close();
  }
}
