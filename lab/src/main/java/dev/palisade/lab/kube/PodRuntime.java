package dev.palisade.lab.kube;

import dev.palisade.lab.net.Program;
import dev.palisade.lab.net.ProgramStatus;
import java.util.List;

/**
 * The lab's kubelet, as the workload controllers see it: starts a scheduled pod's sandbox (its
 * network namespace, IP and served ports) and stops it. The network implementation lives in
 * {@code dev.palisade.lab.net}; tests use an in-memory one. Containers with a command run it as
 * a program of the host inside the pod's network namespace ({@link #runPrograms}); the others are
 * served by the lab's echo server on their ports.
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

  /**
   * Runs the programs of a started pod's containers that have a command, once per uid (later calls
   * do nothing); {@code onChange} is told whenever one starts, exits or is restarted, so that the
   * pod's status is written again. The default runs nothing: such containers then count as running.
   */
  default void runPrograms(String uid, List<Program> programs, Runnable onChange) {}

  /** What the pod's programs do now, in the order given to {@link #runPrograms}; empty if none run. */
  default List<ProgramStatus> programs(String uid) {
    return List.of();
  }
}
