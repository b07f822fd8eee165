package dev.palisade.lab.kube;

import dev.palisade.lab.net.LabNetwork;
import dev.palisade.lab.net.Program;
import dev.palisade.lab.net.ProgramStatus;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The lab's kubelet on the real kernel: a started pod becomes a network namespace on its node
 * (through {@link LabNetwork}) with an IP from the node's pod CIDR {@code 10.244.<node>.0/24},
 * serving its container ports. A stopped pod's IP goes back to the pool and the lowest free IP
 * is handed out first, so IPs are reused as on a busy real cluster. A scenario may pin a pod's
 * IP before creating it. Containers with a command run as programs inside the pod's namespace
 * ({@link dev.palisade.lab.net.PodPrograms}), stopped with the pod.
 */
public final class NetworkPodRuntime implements PodRuntime {
  private final LabNetwork net;
  private final Map<String, String> keyByUid = new HashMap<>();
  private final Map<String, String> uidByKey = new HashMap<>();
  private final Map<String, String> pinned = new HashMap<>();
  private final Map<Integer, TreeSet<Integer>> usedHosts = new HashMap<>();
  private final Map<String, String> ipByUid = new HashMap<>();

  /**
   * Told about a pod's IP before its network exists, as a CNI plugin tells the node agent: the
   * node's rules cover the pod before its first packet.
   */
  public interface PodNetworkHook {
    void beforeNetwork(String namespace, String name, String ip, int node);
  }

  private volatile PodNetworkHook hook;

  public NetworkPodRuntime(LabNetwork net) {
    this.net = net;
  }

  public void setHook(PodNetworkHook hook) {
    this.hook = hook;
  }

  public static String podCidr(int node) {
    return "10.244." + node + ".0/24";
  }

  /** The pod named namespace/name will get this IP when it starts (scenario synthetic_ip). */
  public synchronized void pin(String namespace, String name, String ip) {
    pinned.put(namespace + "/" + name, ip);
  }

  @Override
  public String start(String namespace, String name, String uid, int node, List<Port> ports) {
    String key = namespace + "/" + name;
    String ip;
    synchronized (this) {
      if (ipByUid.containsKey(uid)) {
        return ipByUid.get(uid);
      }
      String previous = uidByKey.get(key);
      if (previous != null) { // a pod of the same name that was not stopped yet (a StatefulSet restart)
        stopLocked(previous);
      }
      ip = pinned.containsKey(key) ? pinned.get(key) : allocate(node);
      keyByUid.put(uid, key);
      uidByKey.put(key, uid);
      ipByUid.put(uid, ip);
    }
    try {
      PodNetworkHook h = hook;
      if (h != null) {
        h.beforeNetwork(namespace, name, ip, node);
      }
      net.addPod(key, node, ip, ports.stream().map(p -> new LabNetwork.ServedPort(p.port(), p.protocol())).toList());
    } catch (RuntimeException e) {
      synchronized (this) {
        release(uid);
      }
      throw e;
    }
    return ip;
  }

  private int hostOf(String ip, int node) {
    String prefix = "10.244." + node + ".";
    return ip.startsWith(prefix) ? Integer.parseInt(ip.substring(prefix.length())) : -1;
  }

  private String allocate(int node) {
    TreeSet<Integer> used = usedHosts.computeIfAbsent(node, n -> new TreeSet<>());
    for (int h = 2; h < 255; h++) {
      String ip = "10.244." + node + "." + h;
      if (!used.contains(h) && !pinned.containsValue(ip)) {
        used.add(h);
        return ip;
      }
    }
    throw new IllegalStateException("node " + node + " has no free pod IP left in " + podCidr(node));
  }

  private void release(String uid) {
    String key = keyByUid.remove(uid);
    String ip = ipByUid.remove(uid);
    if (key != null) {
      uidByKey.remove(key, uid);
    }
    if (ip != null) {
      for (TreeSet<Integer> used : usedHosts.values()) {
        for (Integer h : List.copyOf(used)) {
          if (ip.endsWith("." + h) && ip.startsWith("10.244.")) {
            int node = Integer.parseInt(ip.split("\\.")[2]);
            if (hostOf(ip, node) == h) {
              usedHosts.get(node).remove(h);
            }
          }
        }
      }
    }
  }

  private void stopLocked(String uid) {
    String key = keyByUid.get(uid);
    release(uid);
    if (key != null) {
      net.removePod(key);
    }
  }

  @Override
  public synchronized void stop(String uid) {
    stopLocked(uid);
  }

  @Override
  public void runPrograms(String uid, List<Program> programs, Runnable onChange) {
    String key;
    synchronized (this) {
      key = keyByUid.get(uid);
    }
    if (key != null && !programs.isEmpty()) {
      net.programs().start(key, net.pod(key).ns().name(), programs, onChange);
    }
  }

  @Override
  public List<ProgramStatus> programs(String uid) {
    String key;
    synchronized (this) {
      key = keyByUid.get(uid);
    }
    return key == null ? List.of() : net.programs().statuses(key);
  }

  /** The IP of a running pod, by namespace/name. */
  public synchronized String ipOf(String namespace, String name) {
    String uid = uidByKey.get(namespace + "/" + name);
    return uid == null ? null : ipByUid.get(uid);
  }

  public LabNetwork network() {
    return net;
  }
}
