package dev.palisade.lab.kube;

import dev.palisade.lab.net.Program;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads which of a pod's containers run a program of the host, and exactly how, as kubelet reads a
 * container spec: the command followed by the args (there is no image, so args alone are the whole
 * command line), {@code $(VAR)} references expanded from the container's env, env values plain or
 * from the pod's own fields ({@code fieldRef}), the workingDir, the pod's restartPolicy and
 * grace period. What the lab cannot provide (ConfigMap and Secret references, envFrom) is a
 * config error with a message, shown as CreateContainerConfigError, as kubelet shows a missing key.
 * Pure: no I/O.
 */
final class ContainerCommands {
  /** The lab stops programs within this, whatever the pod asks for, so a lab closes quickly. */
  static final Duration MAX_GRACE = Duration.ofSeconds(10);
  private static final Pattern LABEL_FIELD = Pattern.compile("metadata\\.(labels|annotations)\\['([^']+)'\\]");

  /** A container that runs a program: what to run, or why it cannot be run. */
  record Plan(String container, Program program, String configError) {}

  private ContainerCommands() {}

  static boolean runsProgram(Container c) {
    return (c.getCommand() != null && !c.getCommand().isEmpty()) || (c.getArgs() != null && !c.getArgs().isEmpty());
  }

  /** The plans of the pod's containers that have a command or args, in container order. */
  static List<Plan> of(Pod pod, String podIp, String hostIp) {
    List<Plan> plans = new ArrayList<>();
    Program.RestartPolicy restart = Program.RestartPolicy.of(pod.getSpec().getRestartPolicy());
    Long graceSeconds = pod.getSpec().getTerminationGracePeriodSeconds();
    Duration grace = graceSeconds == null ? MAX_GRACE : Duration.ofSeconds(Math.max(0, graceSeconds));
    if (grace.compareTo(MAX_GRACE) > 0) {
      grace = MAX_GRACE;
    }
    for (Container c : pod.getSpec().getContainers()) {
      if (!runsProgram(c)) {
        continue;
      }
      try {
        Map<String, String> env = env(pod, c, podIp, hostIp);
        List<String> argv = new ArrayList<>();
        if (c.getCommand() != null) {
          c.getCommand().forEach(a -> argv.add(expand(a, env)));
        }
        if (c.getArgs() != null) {
          c.getArgs().forEach(a -> argv.add(expand(a, env)));
        }
        Path dir = c.getWorkingDir() == null || c.getWorkingDir().isEmpty() ? null : Path.of(c.getWorkingDir());
        plans.add(new Plan(c.getName(), new Program(c.getName(), argv, env, dir, restart, grace), null));
      } catch (IllegalArgumentException e) {
        plans.add(new Plan(c.getName(), null, e.getMessage()));
      }
    }
    return plans;
  }

  private static Map<String, String> env(Pod pod, Container c, String podIp, String hostIp) {
    if (c.getEnvFrom() != null && !c.getEnvFrom().isEmpty()) {
      throw new IllegalArgumentException("container " + c.getName()
          + ": envFrom is not supported by the lab (use env with plain values or fieldRef)");
    }
    Map<String, String> env = new LinkedHashMap<>();
    if (c.getEnv() == null) {
      return env;
    }
    for (EnvVar v : c.getEnv()) {
      String value;
      if (v.getValueFrom() != null) {
        value = fromSource(pod, c, v.getName(), v.getValueFrom(), podIp, hostIp);
      } else {
        // Later variables may refer to earlier ones, as in Kubernetes.
        value = expand(v.getValue() == null ? "" : v.getValue(), env);
      }
      env.put(v.getName(), value);
    }
    return env;
  }

  private static String fromSource(Pod pod, Container c, String name, EnvVarSource source, String podIp,
      String hostIp) {
    if (source.getFieldRef() == null) {
      String kind = source.getConfigMapKeyRef() != null ? "configMapKeyRef"
          : source.getSecretKeyRef() != null ? "secretKeyRef"
          : source.getResourceFieldRef() != null ? "resourceFieldRef" : "this valueFrom";
      throw new IllegalArgumentException("container " + c.getName() + ": env " + name + " uses " + kind
          + ", which the lab does not support (plain values and fieldRef only)");
    }
    String path = source.getFieldRef().getFieldPath();
    String value = switch (path == null ? "" : path) {
      case "metadata.name" -> pod.getMetadata().getName();
      case "metadata.namespace" -> pod.getMetadata().getNamespace();
      case "metadata.uid" -> pod.getMetadata().getUid();
      case "spec.nodeName" -> pod.getSpec().getNodeName();
      case "spec.serviceAccountName" -> pod.getSpec().getServiceAccountName() == null ? "default"
          : pod.getSpec().getServiceAccountName();
      case "status.podIP" -> podIp;
      case "status.podIPs" -> podIp;
      case "status.hostIP", "status.hostIPs" -> hostIp;
      default -> {
        Matcher m = LABEL_FIELD.matcher(path == null ? "" : path);
        if (!m.matches()) {
          throw new IllegalArgumentException("container " + c.getName() + ": env " + name + " uses fieldRef "
              + path + ", which the lab does not support");
        }
        Map<String, String> map = m.group(1).equals("labels") ? pod.getMetadata().getLabels()
            : pod.getMetadata().getAnnotations();
        yield map == null ? "" : map.getOrDefault(m.group(2), "");
      }
    };
    return value == null ? "" : value;
  }

  /**
   * Expands {@code $(NAME)} from the env; {@code $$} is a literal {@code $}; a reference to an
   * undefined name stays as written (Kubernetes' rules).
   */
  static String expand(String s, Map<String, String> env) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < s.length()) {
      char ch = s.charAt(i);
      if (ch == '$' && i + 1 < s.length()) {
        char next = s.charAt(i + 1);
        if (next == '$') {
          out.append('$');
          i += 2;
          continue;
        }
        if (next == '(') {
          int close = s.indexOf(')', i + 2);
          if (close > 0) {
            String name = s.substring(i + 2, close);
            out.append(env.containsKey(name) ? env.get(name) : s.substring(i, close + 1));
            i = close + 1;
            continue;
          }
        }
      }
      out.append(ch);
      i++;
    }
    return out.toString();
  }
}
