package dev.palisade.lab.kube;

import java.util.List;

/**
 * The lab's kubelet, as the workload controllers see it: starts a scheduled pod's sandbox (its
 * network namespace, IP and served ports) and stops it. The network implementation lives in
 * {@code dev.palisade.lab.net}; tests use an in-memory one.
 */
public interface PodRuntime {
  /** A container port the pod serves: TCP or UDP echo for as long as the pod lives. */
  record Port(int port, String protocol) {}

  /**
   * Starts the pod on the node (0-based index of the lab node the pod was scheduled to) and returns
   * its IP, allocated from the node's pod CIDR. Called once per pod uid.
   */
  String start(String namespace, String name, String uid, int node, List<Port> ports);

  /** Stops the pod and frees its IP for reuse; unknown uids are ignored. */
  void stop(String uid);
}
