package dev.palisade.lab.kube;

import dev.palisade.lab.net.ProgramStatus;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The status a kubelet would post for a started pod: phase, conditions and one container status
 * per container. A container served by the echo server runs from the pod's start; a container with
 * a program reports what the program does (running, waiting in back-off, terminated) with its
 * restart count; one whose command cannot be configured waits with CreateContainerConfigError. A
 * pod whose every container is a program that ended for good (restartPolicy OnFailure or Never)
 * is Succeeded if they all exited 0, else Failed. Pure; times come from the old status and the
 * programs, so the same state always gives the same status and writing it again changes nothing.
 */
final class KubeletStatus {
  private KubeletStatus() {}

  static PodStatus of(Pod pod, String ip, int node, List<ContainerCommands.Plan> plans, List<ProgramStatus> programs) {
    PodStatus old = pod.getStatus();
    String startTime = old != null && old.getStartTime() != null ? old.getStartTime() : KubeObjects.now();
    Map<String, ContainerCommands.Plan> planOf = new HashMap<>();
    plans.forEach(p -> planOf.put(p.container(), p));
    Map<String, ProgramStatus> programOf = new HashMap<>();
    programs.forEach(p -> programOf.put(p.container(), p));

    List<ContainerStatus> containers = new ArrayList<>();
    List<String> notReady = new ArrayList<>();
    boolean anyStarted = false;
    boolean allEnded = !pod.getSpec().getContainers().isEmpty();
    boolean allSucceeded = true;
    for (Container c : pod.getSpec().getContainers()) {
      ContainerStatusBuilder b = new ContainerStatusBuilder()
          .withName(c.getName())
          .withImage(c.getImage())
          .withImageID(c.getImage())
          .withContainerID("containerd://" + PodTemplateHash.of(pod.getMetadata().getUid() + "/" + c.getName()));
      ContainerCommands.Plan plan = planOf.get(c.getName());
      ProgramStatus program = programOf.get(c.getName());
      boolean ready;
      if (plan != null && plan.configError() != null) {
        b.withRestartCount(0).withStarted(false).withState(waiting("CreateContainerConfigError", plan.configError()));
        ready = false;
        allEnded = false;
      } else if (program != null) {
        ready = program.running();
        anyStarted |= program.running() || program.restartCount() > 0 || program.terminated() != null
            || program.lastTerminated() != null;
        b.withRestartCount(program.restartCount()).withStarted(program.running()).withState(state(program));
        if (program.lastTerminated() != null) {
          b.withLastState(new ContainerStateBuilder().withTerminated(terminated(program.lastTerminated())).build());
        }
        if (program.terminated() == null) {
          allEnded = false;
        } else if (program.terminated().exitCode() != 0) {
          allSucceeded = false;
        }
      } else { // the echo server serves it (or a runtime that runs no programs)
        ready = true;
        anyStarted = true;
        allEnded = false;
        b.withRestartCount(0).withStarted(true)
            .withNewState().withNewRunning().withStartedAt(startTime).endRunning().endState();
      }
      containers.add(b.withReady(ready).build());
      if (!ready) {
        notReady.add(c.getName());
      }
    }
    String phase = allEnded ? (allSucceeded ? "Succeeded" : "Failed") : anyStarted ? "Running" : "Pending";

    List<PodCondition> oldConditions = old == null ? null : old.getConditions();
    List<PodCondition> conditions = new ArrayList<>();
    conditions.add(condition(oldConditions, "PodReadyToStartContainers", "True", null, null));
    conditions.add(condition(oldConditions, "Initialized", "True", null, null));
    for (String type : List.of("Ready", "ContainersReady")) {
      if (allEnded) {
        conditions.add(condition(oldConditions, type, "False", "PodCompleted", null));
      } else if (!notReady.isEmpty()) {
        conditions.add(condition(oldConditions, type, "False", "ContainersNotReady",
            "containers with unready status: [" + String.join(" ", notReady) + "]"));
      } else {
        conditions.add(condition(oldConditions, type, "True", null, null));
      }
    }
    conditions.add(condition(oldConditions, "PodScheduled", "True", null, null));
    String hostIp = KubeObjects.hostIp(node);
    return new PodStatusBuilder()
        .withPhase(phase)
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

  private static PodCondition condition(List<PodCondition> old, String type, String status, String reason,
      String message) {
    return new PodConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
        .withLastTransitionTime(KubeObjects.transitionTime(old, type, status)).build();
  }

  private static ContainerState waiting(String reason, String message) {
    return new ContainerStateBuilder().withNewWaiting().withReason(reason).withMessage(message).endWaiting().build();
  }

  private static ContainerState state(ProgramStatus p) {
    return switch (p.state()) {
      case RUNNING -> new ContainerStateBuilder().withNewRunning().withStartedAt(p.startedAt().toString()).endRunning()
          .build();
      case WAITING -> waiting(p.reason(), p.message());
      case TERMINATED -> new ContainerStateBuilder().withTerminated(terminated(p.terminated())).build();
    };
  }

  private static io.fabric8.kubernetes.api.model.ContainerStateTerminated terminated(ProgramStatus.Termination t) {
    return new io.fabric8.kubernetes.api.model.ContainerStateTerminatedBuilder()
        .withExitCode(t.exitCode()).withReason(t.reason()).withMessage(t.message())
        .withStartedAt(t.startedAt().toString()).withFinishedAt(t.finishedAt().toString()).build();
  }
}
