package dev.palisade.lab.kube;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** A PodRuntime in memory: records starts and stops, hands out 10.244.<node>.<n>, lowest free first. */
final class FakePodRuntime implements PodRuntime {
  record Start(String namespace, String name, String uid, int node, List<Port> ports, String ip) {}

  final List<Start> starts = new ArrayList<>();
  final List<String> stops = new ArrayList<>();
  private final Map<String, Start> running = new HashMap<>();
  private final Map<Integer, TreeSet<Integer>> used = new HashMap<>();

  @Override
  public synchronized String start(String namespace, String name, String uid, int node, List<Port> ports) {
    Start known = running.get(uid);
    if (known != null) {
      return known.ip();
    }
    TreeSet<Integer> hosts = used.computeIfAbsent(node, n -> new TreeSet<>());
    int host = 2;
    while (hosts.contains(host)) {
      host++;
    }
    hosts.add(host);
    Start start = new Start(namespace, name, uid, node, List.copyOf(ports), "10.244." + node + "." + host);
    running.put(uid, start);
    starts.add(start);
    return start.ip();
  }

  @Override
  public synchronized void stop(String uid) {
    Start start = running.remove(uid);
    if (start != null) {
      used.get(start.node()).remove(Integer.parseInt(start.ip().substring(start.ip().lastIndexOf('.') + 1)));
      stops.add(uid);
    }
  }

  synchronized int runningCount() {
    return running.size();
  }

  synchronized boolean isRunning(String uid) {
    return running.containsKey(uid);
  }

  synchronized List<String> stopsSnapshot() {
    return List.copyOf(stops);
  }
}
