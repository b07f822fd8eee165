package dev.palisade.lab.cluster;

import dev.palisade.kernel.nft.LibNftables;
import dev.palisade.kernel.nft.Nftables;
import dev.palisade.lab.kube.NetworkPodRuntime;
import dev.palisade.lab.kube.dns.LabClusterDns;
import dev.palisade.lab.kube.dns.OutsideZone;
import dev.palisade.lab.kube.proxy.LabKubeProxy;
import dev.palisade.lab.kube.proxy.ServiceWatch;
import dev.palisade.lab.net.LabNetwork;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Services as a cluster has them, wired for one lab: cluster IPs come from the lab's
 * EndpointSliceController; this adds what makes them reachable.
 *
 * <pre>
 *  ServiceWatch (Service + EndpointSlice informers)
 *     |-- LabKubeProxy   -> table ip kube_proxy in every node namespace (DNAT at prerouting)
 *     '-- LabClusterDns  -> kube-system/kube-dns 10.96.0.10:53 -> pod kube-system/lab-dns
 *                           (+ OutsideZone: names beyond the cluster, set by a scenario)
 *  LabNetwork            -> /etc/netns/POD/resolv.conf naming 10.96.0.10 for every pod
 * </pre>
 */
public final class LabServices implements AutoCloseable {
  private final ServiceWatch watch;
  private final LabKubeProxy proxy;
  private final LabClusterDns dns;
  private final OutsideZone outsideZone;

  private LabServices(ServiceWatch watch, LabKubeProxy proxy, LabClusterDns dns, OutsideZone outsideZone) {
    this.watch = watch;
    this.proxy = proxy;
    this.dns = dns;
    this.outsideZone = outsideZone;
  }

  public static LabServices start(KubernetesClient client, NetworkPodRuntime runtime, Duration timeout) {
    ServiceWatch watch = new ServiceWatch(client);
    LabKubeProxy proxy = null;
    try {
      Map<Integer, Nftables> nodes = new HashMap<>();
      for (LabNetwork.Node n : runtime.network().nodes()) {
        nodes.put(n.index(), LibNftables.open(n.ns()));
      }
      proxy = new LabKubeProxy(watch, nodes);
      OutsideZone zone = new OutsideZone();
      LabClusterDns dns = LabClusterDns.start(client, runtime, watch, zone, timeout);
      return new LabServices(watch, proxy, dns, zone);
    } catch (RuntimeException e) {
      if (proxy != null) {
        proxy.close();
      }
      watch.close();
      throw e;
    }
  }

  /** The names beyond the cluster the cluster DNS answers (empty until a scenario sets some). */
  public OutsideZone outsideZone() {
    return outsideZone;
  }

  /** Returns once every node's kube-proxy table matches the Services and EndpointSlices the API server holds. */
  public void awaitInSync(KubernetesClient client, Duration timeout) {
    proxy.awaitInSync(client, timeout);
  }

  @Override
  public void close() {
    try {
      dns.close();
      proxy.close();
    } finally {
      watch.close();
    }
  }
}
