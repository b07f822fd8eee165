package dev.palisade.dataplane.agent;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The CNI ADD moment: a local pod is about to get its network, and must not send a packet before
 * this node's rules cover its address (its first packet meets its workload's policy, never an open
 * door). The pod's address is announced here before the API server has it in the pod's status;
 * {@link #await} returns once a sync that started after the announcement has put the address in
 * force.
 */
final class PodStartGate {
  interface Rules {
    /** Asks for a sync; returns its request number. */
    long request();

    /** The newest request number served by a successful sync. */
    long completed();

    /** True if the rules in force know this local pod address. */
    boolean covers(String ip);
  }

  private final String nodeName;
  private final Rules rules;
  private final Map<String, String> announced = new ConcurrentHashMap<>();
  private final ArrayDeque<Long> waits = new ArrayDeque<>();

  PodStartGate(String nodeName, Rules rules) {
    this.nodeName = nodeName;
    this.rules = rules;
  }

  /** namespace/name -> IP of pods announced and not yet seen with the address in their status. */
  Map<String, String> announced() {
    return Map.copyOf(announced);
  }

  /** The sync saw these pods with an address in their status: the announcement is no longer needed. */
  void inStatus(Iterable<String> podKeysWithStatusIp) {
    for (String k : podKeysWithStatusIp) {
      announced.remove(k);
    }
  }

  void await(String namespace, String name, String ip, Duration timeout) {
    long t0 = System.nanoTime();
    announced.put(namespace + "/" + name, ip);
    long ticket = rules.request();
    long deadline = t0 + timeout.toNanos();
    while (!(rules.completed() >= ticket && rules.covers(ip))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(nodeName + ": rules for pod " + namespace + "/" + name + " (" + ip
            + ") not in place within " + timeout);
      }
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    synchronized (waits) {
      if (waits.size() == 10_000) {
        waits.removeFirst();
      }
      waits.addLast(System.nanoTime() - t0);
    }
  }

  /** How long the most recent pod starts (up to 10,000) waited for their rules, in nanoseconds. */
  List<Long> waits() {
    synchronized (waits) {
      return List.copyOf(waits);
    }
  }
}
