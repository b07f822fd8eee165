package dev.palisade.lab.kube.proxy;

import dev.palisade.kernel.nft.Nftables;
import dev.palisade.kernel.nft.Transaction;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's kube-proxy: one per lab, programming table {@code ip kube_proxy} in every node's
 * namespace, as kube-proxy's DaemonSet does on every node of a cluster.
 *
 * <pre>
 *  Service / EndpointSlice informers (ServiceWatch) --change--> requestSync (debounced)
 *     --> one sync thread: snapshot -> ServicePorts.from (pure) -> KubeProxyRenderer.render (pure)
 *     --> Nftables.run on each node (one atomic transaction replacing the table)
 * </pre>
 *
 * Informer callbacks only ask for a sync; the single sync thread does the work, after a short
 * quiet period so a Deployment's worth of slice updates costs one write. The table is rendered
 * whole every time, so a failed write needs nothing special: the node is retried on the next
 * round until it takes the same text every other node has.
 */
public final class LabKubeProxy implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LabKubeProxy.class);
  private static final long DEBOUNCE_MILLIS = 30;
  private static final long RETRY_MILLIS = 1000;

  private final ServiceWatch watch;
  private final Map<Integer, Nftables> nodes;
  private final ScheduledExecutorService thread;
  private final AtomicBoolean scheduled = new AtomicBoolean();
  /** Node index -> the transaction text it last took (written by the sync thread only). */
  private final Map<Integer, String> applied = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * @param nodes node index -> the nftables of that node's namespace; closed with this object
   */
  public LabKubeProxy(ServiceWatch watch, Map<Integer, Nftables> nodes) {
    this.watch = watch;
    this.nodes = new TreeMap<>(nodes);
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "lab-kube-proxy");
      t.setDaemon(true);
      return t;
    });
    watch.onChange(this::requestSync);
    requestSync();
  }

  /** Asks for a sync soon; any thread, returns at once. */
  public void requestSync() {
    if (scheduled.compareAndSet(false, true)) {
      thread.schedule(this::sync, DEBOUNCE_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  private void sync() {
    scheduled.set(false); // changes from now on ask for another round
    Transaction tx = desired(watch.snapshot());
    String text = tx.toString();
    boolean failed = false;
    for (Map.Entry<Integer, Nftables> node : nodes.entrySet()) {
      if (text.equals(applied.get(node.getKey()))) {
        continue;
      }
      try {
        node.getValue().run(tx);
        applied.put(node.getKey(), text);
      } catch (RuntimeException e) {
        failed = true;
        LOG.warn("kube-proxy table refused on node {}: {}\n{}", node.getKey(), e.getMessage(), text);
      }
    }
    if (failed && scheduled.compareAndSet(false, true)) {
      thread.schedule(this::sync, RETRY_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  static Transaction desired(ServiceWatch.Snapshot s) {
    return KubeProxyRenderer.render(ServicePorts.from(s.services(), s.slices()));
  }

  /**
   * Returns once every node holds the table rendered from what the API server holds now (read
   * directly, not through the informers, so a write the informers have not seen yet is waited for).
   *
   * @throws IllegalStateException on timeout, naming the nodes behind
   */
  public void awaitInSync(KubernetesClient client, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String want = desired(new ServiceWatch.Snapshot(client.services().inAnyNamespace().list().getItems(),
          client.discovery().v1().endpointSlices().inAnyNamespace().list().getItems())).toString();
      List<Integer> behind = nodes.keySet().stream().filter(n -> !want.equals(applied.get(n))).toList();
      if (behind.isEmpty()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("kube-proxy tables of nodes " + behind + " not in sync after " + timeout);
      }
      requestSync();
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for kube-proxy", e);
      }
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Nftables n : nodes.values()) {
      try {
        n.close();
      } catch (RuntimeException e) {
        // closing anyway: the node namespaces go with the lab
      }
    }
  }
}
