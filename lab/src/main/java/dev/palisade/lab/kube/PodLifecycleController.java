package dev.palisade.lab.kube;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HostIP;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The scheduler and the kubelets: binds each unscheduled pod to the lab node with the fewest pods
 * (among those its nodeSelector admits), starts it through the {@link PodRuntime}, and reports it
 * Running and Ready with its IP. A pod that is deleted, finished or replaced by a new pod of the
 * same name is stopped, which frees its IP.
 */
final class PodLifecycleController {
  private final ControllerContext ctx;
  private final PodRuntime runtime;
  /** namespace/name -> uid of the pod started under that name. */
  private final Map<String, String> started = new ConcurrentHashMap<>();

  PodLifecycleController(ControllerContext ctx, PodRuntime runtime) {
    this.ctx = ctx;
    this.runtime = runtime;
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
    if (!statusCurrent(pod, ip)) {
      PodStatus status = runningStatus(pod, ip, node);
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
      if (c.getPorts() != null) {
        for (ContainerPort p : c.getPorts()) {
          if (p.getContainerPort() != null) {
            ports.add(new PodRuntime.Port(p.getContainerPort(), p.getProtocol() == null ? "TCP" : p.getProtocol()));
          }
        }
      }
    }
    return ports;
  }

  private static boolean statusCurrent(Pod pod, String ip) {
    PodStatus s = pod.getStatus();
    return s != null && "Running".equals(s.getPhase()) && ip.equals(s.getPodIP()) && KubeObjects.ready(pod)
        && s.getContainerStatuses() != null && s.getContainerStatuses().size() == pod.getSpec().getContainers().size();
  }

  private static PodStatus runningStatus(Pod pod, String ip, int node) {
    PodStatus old = pod.getStatus();
    List<PodCondition> oldConditions = old == null ? null : old.getConditions();
    String startTime = old != null && old.getStartTime() != null ? old.getStartTime() : KubeObjects.now();
    List<PodCondition> conditions = new ArrayList<>();
    for (String type : List.of("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")) {
      conditions.add(new PodConditionBuilder().withType(type).withStatus("True")
          .withLastTransitionTime(KubeObjects.transitionTime(oldConditions, type, "True")).build());
    }
    List<ContainerStatus> containers = new ArrayList<>();
    for (Container c : pod.getSpec().getContainers()) {
      containers.add(new ContainerStatusBuilder()
          .withName(c.getName())
          .withImage(c.getImage())
          .withImageID(c.getImage())
          .withContainerID("containerd://" + PodTemplateHash.of(pod.getMetadata().getUid() + "/" + c.getName()))
          .withReady(true)
          .withStarted(true)
          .withRestartCount(0)
          .withNewState().withNewRunning().withStartedAt(startTime).endRunning().endState()
          .build());
    }
    String hostIp = KubeObjects.hostIp(node);
    return new PodStatusBuilder()
        .withPhase("Running")
        .withPodIP(ip)
        .withPodIPs(new PodIP(ip))
        .withHostIP(hostIp)
        .withHostIPs(new HostIP(hostIp))
        .withStartTime(startTime)
        .withConditions(conditions)
        .withContainerStatuses(containers)
        .withQosClass("BestEffort")
        .build();
  }
}
