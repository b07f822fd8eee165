package dev.palisade.lab.kube;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import dev.palisade.lab.net.Program;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The scheduler and the kubelets: binds each unscheduled pod to the lab node with the fewest pods
 * (among those its nodeSelector admits), starts it through the {@link PodRuntime} with the
 * programs of its containers that have a command, and reports its status with its IP (see
 * {@link KubeletStatus}), again whenever a program starts, exits or restarts. A pod that is
 * deleted, finished or replaced by a new pod of the same name is stopped, which frees its IP.
 */
final class PodLifecycleController {
  private final ControllerContext ctx;
  private final PodRuntime runtime;
  /** namespace/name -> uid of the pod started under that name. */
  private final Map<String, String> started = new ConcurrentHashMap<>();

  /** Asks for a pod (namespace, name) to be reconciled again: one of its programs changed. */
  private final BiConsumer<String, String> programChanged;

  PodLifecycleController(ControllerContext ctx, PodRuntime runtime, BiConsumer<String, String> programChanged) {
    this.ctx = ctx;
    this.runtime = runtime;
    this.programChanged = programChanged;
  }

  /** Keys of pods this controller started and has not stopped (to find pods deleted unseen). */
  Set<String> startedKeys() {
    return Set.copyOf(started.keySet());
  }

  void reconcile(String namespace, String name) {
    String key = namespace + "/" + name;
    Pod pod = ctx.client.pods().inNamespace(namespace).withName(name).get();
    String startedUid = started.get(key);
    if (pod == null || !KubeObjects.active(pod)) {
      stop(key, startedUid);
      return;
    }
    String uid = pod.getMetadata().getUid();
    if (startedUid != null && !startedUid.equals(uid)) {
      stop(key, startedUid); // deleted and created again under the same name (a StatefulSet pod)
    }
    String nodeName = pod.getSpec().getNodeName();
    if (nodeName == null || nodeName.isEmpty()) {
      int node = schedule(pod);
      if (node < 0) {
        return; // no node admits it: Pending, as on a real cluster
      }
      nodeName = KubeObjects.nodeName(node);
      String bound = nodeName;
      pod = ctx.edit(pod, p -> {
        p.getSpec().setNodeName(bound);
        return p;
      });
    }
    int node = KubeObjects.nodeIndex(nodeName, ctx.nodes);
    if (node < 0) {
      return; // bound to a node the lab does not have: stays Pending
    }
    String ip = runtime.start(namespace, name, uid, node, ports(pod));
    if (!uid.equals(started.put(key, uid))) {
      ctx.changed();
    }
    List<ContainerCommands.Plan> plans = ContainerCommands.of(pod, ip, KubeObjects.hostIp(node));
    List<Program> programs = plans.stream().map(ContainerCommands.Plan::program).filter(Objects::nonNull).toList();
    if (!programs.isEmpty()) {
      runtime.runPrograms(uid, programs, () -> programChanged.accept(namespace, name));
    }
    PodStatus status = KubeletStatus.of(pod, ip, node, plans, runtime.programs(uid));
    var json = ctx.client.getKubernetesSerialization();
    if (pod.getStatus() == null || !json.asJson(status).equals(json.asJson(pod.getStatus()))) {
      ctx.editStatus(pod, p -> {
        p.setStatus(status);
        return p;
      });
    }
  }

  private void stop(String key, String uid) {
    if (uid != null) {
      runtime.stop(uid);
      started.remove(key, uid);
      ctx.changed();
    }
  }

  /** The admitting node with the fewest active pods; ties go to the lowest index. */
  private int schedule(Pod pod) {
    int[] load = new int[ctx.nodes];
    for (Pod other : ctx.client.pods().inAnyNamespace().list().getItems()) {
      int node = KubeObjects.nodeIndex(other.getSpec().getNodeName(), ctx.nodes);
      if (node >= 0 && KubeObjects.active(other)) {
        load[node]++;
      }
    }
    Map<String, String> selector = pod.getSpec().getNodeSelector();
    int best = -1;
    for (int node = 0; node < ctx.nodes; node++) {
      if (selector != null && !KubeObjects.matches(selector, KubeObjects.nodeLabels(node))) {
        continue;
      }
      if (best < 0 || load[node] < load[best]) {
        best = node;
      }
    }
    return best;
  }

  static List<PodRuntime.Port> ports(Pod pod) {
    List<PodRuntime.Port> ports = new ArrayList<>();
    for (Container c : pod.getSpec().getContainers()) {
      if (c.getPorts() != null && !ContainerCommands.runsProgram(c)) { // a program serves its own ports
        for (ContainerPort p : c.getPorts()) {
          if (p.getContainerPort() != null) {
            ports.add(new PodRuntime.Port(p.getContainerPort(), p.getProtocol() == null ? "TCP" : p.getProtocol()));
          }
        }
      }
    }
    return ports;
  }
}
