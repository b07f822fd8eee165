package dev.palisade.lab.cluster;

import dev.palisade.lab.net.OutsideNetwork;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.LoadBalancerStatus;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's load-balancer controller, the part a cloud (or MetalLB) plays in a cluster: each
 * Service of type LoadBalancer gets an address of 198.51.100.200-254 (never an outside host's),
 * written to {@code status.loadBalancer.ingress}, and the outside is told to send it to the nodes,
 * whose kube-proxy DNATs it like the node port. Informer callbacks only ask for a round; one
 * thread does the work, over every Service each time, so a missed event costs nothing.
 */
final class LabLoadBalancer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LabLoadBalancer.class);
  static final int FIRST = 200;
  static final int LAST = 254;

  private final KubernetesClient client;
  private final OutsideNetwork outside;
  private final SharedIndexInformer<Service> services;
  private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "lab-load-balancer");
    t.setDaemon(true);
    return t;
  });
  private final AtomicBoolean queued = new AtomicBoolean();
  private final Set<String> announced = new HashSet<>();

  private LabLoadBalancer(KubernetesClient client, OutsideNetwork outside) {
    this.client = client;
    this.outside = outside;
    this.services = client.services().inAnyNamespace().inform(new ResourceEventHandler<>() {
      @Override public void onAdd(Service s) { request(); }
      @Override public void onUpdate(Service a, Service b) { request(); }
      @Override public void onDelete(Service s, boolean unknown) { request(); }
    }, 0);
  }

  static LabLoadBalancer start(KubernetesClient client, OutsideNetwork outside) {
    LabLoadBalancer lb = new LabLoadBalancer(client, outside);
    lb.request();
    return lb;
  }

  /**
   * Pure: the lowest address of 198.51.100.FIRST-LAST that is not in {@code used}.
   *
   * @throws IllegalStateException when every one is taken
   */
  static String allocate(Set<String> used) {
    for (int i = FIRST; i <= LAST; i++) {
      String ip = "198.51.100." + i;
      if (!used.contains(ip)) {
        return ip;
      }
    }
    throw new IllegalStateException("no free load-balancer address left in 198.51.100." + FIRST + "-" + LAST);
  }

  private void request() {
    if (queued.compareAndSet(false, true)) {
      thread.execute(this::reconcile);
    }
  }

  private void reconcile() {
    queued.set(false);
    try {
      List<Service> all = client.services().inAnyNamespace().list().getItems();
      Set<String> used = new HashSet<>(outside.addresses().values());
      all.forEach(s -> ingressIp(s).ifPresent(used::add));
      for (Service s : all) {
        if (!"LoadBalancer".equals(s.getSpec().getType())) {
          continue;
        }
        Optional<String> have = ingressIp(s);
        String ip = have.orElseGet(() -> allocate(used));
        if (have.isEmpty()) {
          used.add(ip);
          client.services().inNamespace(s.getMetadata().getNamespace()).withName(s.getMetadata().getName())
              .edit(svc -> {
                svc.setStatus(new ServiceStatus(null, new LoadBalancerStatus(List.of(
                    new LoadBalancerIngress(null, ip, null, null)))));
                return svc;
              });
        }
        if (announced.add(ip)) {
          outside.announce(ip);
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("load balancer round failed (the next change retries): {}", e.toString());
    }
  }

  private static Optional<String> ingressIp(Service s) {
    if (s.getStatus() == null || s.getStatus().getLoadBalancer() == null
        || s.getStatus().getLoadBalancer().getIngress() == null) {
      return Optional.empty();
    }
    return s.getStatus().getLoadBalancer().getIngress().stream().map(LoadBalancerIngress::getIp)
        .filter(ip -> ip != null && !ip.isEmpty()).findFirst();
  }

  @Override
  public void close() {
    services.close();
    thread.shutdownNow();
  }
}
