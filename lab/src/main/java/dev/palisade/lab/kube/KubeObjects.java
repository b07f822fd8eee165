package dev.palisade.lab.kube;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading Kubernetes objects the way the controllers need: owners, selectors, pod state, nodes. */
final class KubeObjects {
  static final String NODE_PREFIX = "lab-node-";
  private static final Pattern NODE_NAME = Pattern.compile(Pattern.quote(NODE_PREFIX) + "(\\d+)");

  private KubeObjects() {}

  static String nodeName(int index) {
    return NODE_PREFIX + index;
  }

  /** The index of a lab node by name, or -1 if the name is not a lab node's. */
  static int nodeIndex(String nodeName, int nodes) {
    if (nodeName == null) {
      return -1;
    }
    Matcher m = NODE_NAME.matcher(nodeName);
    if (!m.matches()) {
      return -1;
    }
    int i = Integer.parseInt(m.group(1));
    return i < nodes ? i : -1;
  }

  /** The labels every lab node carries, as a real kubelet registers them (for nodeSelector). */
  static Map<String, String> nodeLabels(int index) {
    return Map.of("kubernetes.io/hostname", nodeName(index), "kubernetes.io/os", "linux",
        "kubernetes.io/arch", "amd64");
  }

  static String hostIp(int node) {
    return "10.243." + node + ".2";
  }

  /** An ownerReference that makes {@code owner} the controller of a dependent. */
  static OwnerReference controllerRef(HasMetadata owner) {
    String apiVersion = owner.getApiVersion() != null ? owner.getApiVersion() : HasMetadata.getApiVersion(owner.getClass());
    String kind = owner.getKind() != null ? owner.getKind() : HasMetadata.getKind(owner.getClass());
    return new OwnerReferenceBuilder().withApiVersion(apiVersion).withKind(kind)
        .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
        .withController(true).withBlockOwnerDeletion(true).build();
  }

  static Optional<OwnerReference> controllerOf(HasMetadata object) {
    List<OwnerReference> refs = object.getMetadata().getOwnerReferences();
    if (refs == null) {
      return Optional.empty();
    }
    return refs.stream().filter(r -> Boolean.TRUE.equals(r.getController())).findFirst();
  }

  static boolean controlledBy(HasMetadata object, HasMetadata owner) {
    return controllerOf(object).map(r -> r.getUid().equals(owner.getMetadata().getUid())).orElse(false);
  }

  static Map<String, String> labels(HasMetadata object) {
    Map<String, String> labels = object.getMetadata().getLabels();
    return labels == null ? Map.of() : labels;
  }

  static Map<String, String> copy(Map<String, String> map) {
    return map == null ? new HashMap<>() : new HashMap<>(map);
  }

  static boolean terminating(HasMetadata object) {
    return object.getMetadata().getDeletionTimestamp() != null;
  }

  /**
   * Whether a workload selector selects these labels. A null selector selects nothing and an empty
   * one everything, as in Kubernetes.
   */
  static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return false;
    }
    if (selector.getMatchLabels() != null) {
      for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
        if (!e.getValue().equals(labels.get(e.getKey()))) {
          return false;
        }
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
        String value = labels.get(r.getKey());
        List<String> values = r.getValues() == null ? List.of() : r.getValues();
        boolean ok = switch (r.getOperator()) {
          case "In" -> value != null && values.contains(value);
          case "NotIn" -> value == null || !values.contains(value);
          case "Exists" -> value != null;
          case "DoesNotExist" -> value == null;
          default -> false;
        };
        if (!ok) {
          return false;
        }
      }
    }
    return true;
  }

  /** Whether a Service-style selector (all pairs equal) selects these labels. */
  static boolean matches(Map<String, String> selector, Map<String, String> labels) {
    return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }

  /** A pod that counts toward its controller's replicas: not being deleted and not finished. */
  static boolean active(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return !terminating(pod) && !"Succeeded".equals(phase) && !"Failed".equals(phase);
  }

  static boolean ready(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return false;
    }
    return pod.getStatus().getConditions().stream()
        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  static boolean runningAndReady(Pod pod) {
    return pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase()) && ready(pod)
        && pod.getStatus().getPodIP() != null;
  }

  /**
   * The order in which a controller gives up pods when scaling down, as Kubernetes ranks them: not
   * ready before ready, then newest first.
   */
  static final Comparator<Pod> DELETE_FIRST = Comparator.<Pod, Boolean>comparing(KubeObjects::ready)
      .thenComparing((Pod p) -> p.getMetadata().getCreationTimestamp() == null ? "" : p.getMetadata().getCreationTimestamp(),
          Comparator.reverseOrder())
      .thenComparing((Pod p) -> p.getMetadata().getName(), Comparator.reverseOrder());

  static int replicas(Integer replicas) {
    return replicas == null ? 1 : replicas;
  }

  static int orZero(Integer value) {
    return value == null ? 0 : value;
  }

  static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** The lastTransitionTime to write: the old one if the condition did not change, else now. */
  static String transitionTime(List<? extends Object> conditions, String type, String status) {
    if (conditions != null) {
      for (Object c : conditions) {
        String t;
        String s;
        String time;
        if (c instanceof PodCondition pc) {
          t = pc.getType();
          s = pc.getStatus();
          time = pc.getLastTransitionTime();
        } else if (c instanceof Condition gc) {
          t = gc.getType();
          s = gc.getStatus();
          time = gc.getLastTransitionTime();
        } else if (c instanceof io.fabric8.kubernetes.api.model.apps.DeploymentCondition dc) {
          t = dc.getType();
          s = dc.getStatus();
          time = dc.getLastTransitionTime();
        } else {
          continue;
        }
        if (type.equals(t) && status.equals(s) && time != null) {
          return time;
        }
      }
    }
    return now();
  }
}
