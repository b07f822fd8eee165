package dev.palisade.lab.kube.table;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.BiFunction;
import tools.jackson.databind.JsonNode;

/**
 * The columns kube-apiserver prints for built-in kinds (k8s.io/kubernetes pkg/printers/internalversion),
 * for the kinds the lab serves: pods, deployments, replicasets, statefulsets, daemonsets, jobs,
 * cronjobs, services, namespaces and nodes. Other kinds get NAME and AGE ({@link #DEFAULT}).
 *
 * <p>The lab's store does not default fields as kube-apiserver does, so a missing service type
 * prints as ClusterIP, a missing namespace phase as Active, and missing replica counts as kube's
 * defaults (1).
 */
public final class BuiltinPrinters {
  private BuiltinPrinters() {}

  private record Columns(List<TableColumn> columns, BiFunction<JsonNode, Instant, List<Object>> row)
      implements RowPrinter {
    @Override
    public List<Object> cells(JsonNode object, Instant now) {
      return row.apply(object, now);
    }
  }

  /** NAME and AGE, what kube-apiserver prints for kinds without a printer. */
  public static final RowPrinter DEFAULT = new Columns(List.of(TableColumn.NAME, TableColumn.AGE),
      (o, now) -> List.of(name(o), age(o, now)));

  private static final TableColumn CONTAINERS = TableColumn.wide("Containers", "Names of each container in the template.");
  private static final TableColumn IMAGES = TableColumn.wide("Images", "Images referenced by each container in the template.");
  private static final TableColumn SELECTOR = TableColumn.wide("Selector", "Label selector for the objects it manages.");

  private static final Map<String, RowPrinter> BY_RESOURCE = Map.of(
      "/pods", pods(),
      "apps/deployments", deployments(),
      "apps/replicasets", replicaSets(),
      "apps/statefulsets", statefulSets(),
      "apps/daemonsets", daemonSets(),
      "batch/jobs", jobs(),
      "batch/cronjobs", cronJobs(),
      "/services", services(),
      "/namespaces", namespaces(),
      "/nodes", nodes());

  /** The printer of a built-in resource ({@code group} empty for the core group), if it has one. */
  public static Optional<RowPrinter> forResource(String group, String resource) {
    return Optional.ofNullable(BY_RESOURCE.get(group + "/" + resource));
  }

  static RowPrinter pods() {
    return new Columns(List.of(TableColumn.NAME,
        TableColumn.of("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
        TableColumn.of("Status", "string", "The aggregate status of the containers in this pod."),
        TableColumn.of("Restarts", "string", "The number of times the containers in this pod have been restarted "
            + "and when the last container in this pod has restarted."),
        TableColumn.AGE,
        TableColumn.wide("IP", "IP address allocated to the pod."),
        TableColumn.wide("Node", "Name of the node the pod is assigned to."),
        TableColumn.wide("Nominated Node", "Name of the node the scheduler nominated for the pod."),
        TableColumn.wide("Readiness Gates", "All readiness gates the kubelet evaluates.")),
        BuiltinPrinters::podRow);
  }

  /** As printPod: the phase, overridden by the last container's waiting or terminated reason. */
  private static List<Object> podRow(JsonNode pod, Instant now) {
    JsonNode status = pod.path("status");
    int total = pod.path("spec").path("containers").size();
    String reason = text(status, "phase");
    if (!text(status, "reason").isEmpty()) {
      reason = text(status, "reason");
    }
    int ready = 0;
    long restarts = 0;
    Instant lastRestart = null;
    boolean hasRunning = false;
    JsonNode containers = status.path("containerStatuses");
    for (int i = containers.size() - 1; i >= 0; i--) {
      JsonNode c = containers.get(i);
      restarts += c.path("restartCount").asLong(0);
      Instant finished = instant(c.path("lastState").path("terminated").path("finishedAt").asString(""));
      if (finished != null && (lastRestart == null || finished.isAfter(lastRestart))) {
        lastRestart = finished;
      }
      JsonNode state = c.path("state");
      if (!text(state.path("waiting"), "reason").isEmpty()) {
        reason = text(state.path("waiting"), "reason");
      } else if (!text(state.path("terminated"), "reason").isEmpty()) {
        reason = text(state.path("terminated"), "reason");
      } else if (state.has("terminated")) {
        JsonNode t = state.path("terminated");
        reason = t.path("signal").asInt(0) != 0 ? "Signal:" + t.path("signal").asInt()
            : "ExitCode:" + t.path("exitCode").asInt(0);
      } else if (c.path("ready").asBoolean(false) && state.has("running")) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason.equals("Completed") && hasRunning) {
      reason = conditionTrue(status, "Ready") ? "Running" : "NotReady";
    }
    if (pod.path("metadata").has("deletionTimestamp")) {
      reason = "NodeLost".equals(text(status, "reason")) ? "Unknown" : "Terminating";
    }
    String restartCell = lastRestart == null ? Long.toString(restarts)
        : restarts + " (" + HumanDuration.format(Duration.between(lastRestart, now)) + " ago)";
    JsonNode gates = pod.path("spec").path("readinessGates");
    String gateCell = "<none>";
    if (!gates.isEmpty()) {
      int trueGates = 0;
      for (JsonNode g : gates) {
        if (conditionTrue(status, text(g, "conditionType"))) {
          trueGates++;
        }
      }
      gateCell = trueGates + "/" + gates.size();
    }
    return List.of(name(pod), ready + "/" + total, reason, restartCell, age(pod, now),
        orNone(text(status, "podIP")), orNone(text(pod.path("spec"), "nodeName")),
        orNone(text(status, "nominatedNodeName")), gateCell);
  }

  static RowPrinter deployments() {
    return new Columns(List.of(TableColumn.NAME,
        TableColumn.of("Ready", "string", "Number of the pod with ready state"),
        TableColumn.of("Up-to-date", "integer", "Total number of non-terminated pods targeted by this deployment "
            + "that have the desired template spec."),
        TableColumn.of("Available", "integer", "Total number of available pods (ready for at least minReadySeconds) "
            + "targeted by this deployment."),
        TableColumn.AGE, CONTAINERS, IMAGES, SELECTOR),
        (d, now) -> {
          JsonNode status = d.path("status");
          JsonNode template = d.path("spec").path("template").path("spec");
          return List.of(name(d), status.path("readyReplicas").asLong(0) + "/" + replicas(d),
              status.path("updatedReplicas").asLong(0), status.path("availableReplicas").asLong(0), age(d, now),
              containerNames(template), images(template), selector(d.path("spec").path("selector")));
        });
  }

  static RowPrinter replicaSets() {
    return new Columns(List.of(TableColumn.NAME,
        TableColumn.of("Desired", "integer", "Number of desired pods."),
        TableColumn.of("Current", "integer", "The most recently observed number of replicas."),
        TableColumn.of("Ready", "integer", "The number of ready replicas for this replica set."),
        TableColumn.AGE, CONTAINERS, IMAGES, SELECTOR),
        (r, now) -> {
          JsonNode status = r.path("status");
          JsonNode template = r.path("spec").path("template").path("spec");
          return List.of(name(r), replicas(r), status.path("replicas").asLong(0), status.path("readyReplicas").asLong(0),
              age(r, now), containerNames(template), images(template), selector(r.path("spec").path("selector")));
        });
  }

  static RowPrinter statefulSets() {
    return new Columns(List.of(TableColumn.NAME,
        TableColumn.of("Ready", "string", "Number of the pod with ready state"), TableColumn.AGE, CONTAINERS, IMAGES),
        (s, now) -> {
          JsonNode template = s.path("spec").path("template").path("spec");
          return List.of(name(s), s.path("status").path("readyReplicas").asLong(0) + "/" + replicas(s), age(s, now),
              containerNames(template), images(template));
        });
  }

  static RowPrinter daemonSets() {
    return new Columns(List.of(TableColumn.NAME,
        TableColumn.of("Desired", "integer", "The total number of nodes that should be running the daemon pod."),
        TableColumn.of("Current", "integer", "The number of nodes running at least one daemon pod that are supposed to."),
        TableColumn.of("Ready", "integer", "The number of nodes that should be running the daemon pod and have one "
            + "or more of the daemon pod running and ready."),
        TableColumn.of("Up-to-date", "integer", "The total number of nodes that are running updated daemon pod"),
        TableColumn.of("Available", "integer", "The number of nodes that should be running the daemon pod and have "
            + "one or more of the daemon pod running and available."),
        TableColumn.of("Node Selector", "string", "NodeSelector is a selector which must be true for the pod to fit "
            + "on a node."),
        TableColumn.AGE, CONTAINERS, IMAGES, SELECTOR),
        (d, now) -> {
          JsonNode status = d.path("status");
          JsonNode template = d.path("spec").path("template").path("spec");
          return List.of(name(d), status.path("desiredNumberScheduled").asLong(0),
              status.path("currentNumberScheduled").asLong(0), status.path("numberReady").asLong(0),
              status.path("updatedNumberScheduled").asLong(0), status.path("numberAvailable").asLong(0),
              orNone(labels(template.path("nodeSelector"))), age(d, now), containerNames(template), images(template),
              selector(d.path("spec").path("selector")));
        });
  }

  static RowPrinter jobs() {
    return new Columns(List.of(TableColumn.NAME,
        TableColumn.of("Status", "string", "Status of the job."),
        TableColumn.of("Completions", "string", "The desired number of successfully finished pods the job should be "
            + "run with."),
        TableColumn.of("Duration", "string", "Time required to complete the job."),
        TableColumn.AGE, CONTAINERS, IMAGES, SELECTOR),
        BuiltinPrinters::jobRow);
  }

  private static List<Object> jobRow(JsonNode job, Instant now) {
    JsonNode spec = job.path("spec");
    JsonNode status = job.path("status");
    long succeeded = status.path("succeeded").asLong(0);
    String completions;
    if (spec.has("completions")) {
      completions = succeeded + "/" + spec.path("completions").asLong();
    } else {
      long parallelism = spec.path("parallelism").asLong(1);
      completions = parallelism > 1 ? succeeded + "/1 of " + parallelism : succeeded + "/1";
    }
    Instant start = instant(text(status, "startTime"));
    Instant end = instant(text(status, "completionTime"));
    String duration = start == null ? "" : HumanDuration.format(Duration.between(start, end == null ? now : end));
    String state;
    if (conditionTrue(status, "Failed")) {
      state = "Failed";
    } else if (conditionTrue(status, "Complete")) {
      state = "Complete";
    } else if (job.path("metadata").has("deletionTimestamp")) {
      state = "Terminating";
    } else if (conditionTrue(status, "SuccessCriteriaMet")) {
      state = "SuccessCriteriaMet";
    } else if (conditionTrue(status, "FailureTarget")) {
      state = "FailureTarget";
    } else if (spec.path("suspend").asBoolean(false)) {
      state = "Suspended";
    } else {
      state = "Running";
    }
    JsonNode template = spec.path("template").path("spec");
    return List.of(name(job), state, completions, duration, age(job, now), containerNames(template), images(template),
        selector(spec.path("selector")));
  }

  static RowPrinter cronJobs() {
    return new Columns(List.of(TableColumn.NAME,
        TableColumn.of("Schedule", "string", "The schedule in Cron format."),
        TableColumn.of("Timezone", "string", "The time zone name for the given schedule."),
        TableColumn.of("Suspend", "boolean", "Whether subsequent executions are suspended."),
        TableColumn.of("Active", "integer", "The number of currently running jobs."),
        TableColumn.of("Last Schedule", "string", "When the job was last successfully scheduled."),
        TableColumn.AGE, CONTAINERS, IMAGES, SELECTOR),
        (c, now) -> {
          JsonNode spec = c.path("spec");
          JsonNode jobSpec = spec.path("jobTemplate").path("spec");
          JsonNode template = jobSpec.path("template").path("spec");
          String last = text(c.path("status"), "lastScheduleTime");
          return List.of(name(c), text(spec, "schedule"), orNone(text(spec, "timeZone")),
              spec.has("suspend") ? capitalized(spec.path("suspend").asBoolean()) : "<unset>",
              (long) c.path("status").path("active").size(), last.isEmpty() ? "<none>" : HumanDuration.since(last, now),
              age(c, now), containerNames(template), images(template), selector(jobSpec.path("selector")));
        });
  }

  static RowPrinter services() {
    return new Columns(List.of(TableColumn.NAME,
        TableColumn.of("Type", "string", "Type determines how the Service is exposed."),
        TableColumn.of("Cluster-IP", "string", "ClusterIP is the IP address of the service."),
        TableColumn.of("External-IP", "string", "List of IP addresses for which nodes in the cluster will also accept "
            + "traffic for this service."),
        TableColumn.of("Port(s)", "string", "The list of ports that are exposed by this service."),
        TableColumn.AGE,
        TableColumn.wide("Selector", "Route service traffic to pods with label keys and values matching this selector.")),
        (s, now) -> {
          JsonNode spec = s.path("spec");
          String type = text(spec, "type").isEmpty() ? "ClusterIP" : text(spec, "type");
          return List.of(name(s), type, orNone(text(spec, "clusterIP")), externalIp(type, s), ports(spec.path("ports")),
              age(s, now), orNone(labels(spec.path("selector"))));
        });
  }

  private static String externalIp(String type, JsonNode service) {
    JsonNode spec = service.path("spec");
    List<String> external = strings(spec.path("externalIPs"));
    switch (type) {
      case "ExternalName":
        return text(spec, "externalName");
      case "LoadBalancer": {
        List<String> ips = new ArrayList<>();
        for (JsonNode ingress : service.path("status").path("loadBalancer").path("ingress")) {
          ips.add(!text(ingress, "ip").isEmpty() ? text(ingress, "ip") : text(ingress, "hostname"));
        }
        ips.addAll(external);
        return ips.isEmpty() ? "<pending>" : String.join(",", ips);
      }
      default:
        return external.isEmpty() ? "<none>" : String.join(",", external);
    }
  }

  private static String ports(JsonNode ports) {
    List<String> out = new ArrayList<>();
    for (JsonNode p : ports) {
      String protocol = text(p, "protocol").isEmpty() ? "TCP" : text(p, "protocol");
      long nodePort = p.path("nodePort").asLong(0);
      out.add(nodePort != 0 ? p.path("port").asLong() + ":" + nodePort + "/" + protocol
          : p.path("port").asLong() + "/" + protocol);
    }
    return out.isEmpty() ? "<none>" : String.join(",", out);
  }

  static RowPrinter namespaces() {
    return new Columns(List.of(TableColumn.NAME,
        TableColumn.of("Status", "string", "The status of the namespace"), TableColumn.AGE),
        (n, now) -> List.of(name(n), text(n.path("status"), "phase").isEmpty() ? "Active" : text(n.path("status"), "phase"),
            age(n, now)));
  }

  static RowPrinter nodes() {
    return new Columns(List.of(TableColumn.NAME,
        TableColumn.of("Status", "string", "The status of the node"),
        TableColumn.of("Roles", "string", "The roles of the node"),
        TableColumn.AGE,
        TableColumn.of("Version", "string", "Kubelet Version reported by the node."),
        TableColumn.wide("Internal-IP", "List of addresses reachable to the node."),
        TableColumn.wide("External-IP", "List of addresses reachable to the node."),
        TableColumn.wide("OS-Image", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy))."),
        TableColumn.wide("Kernel-Version", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."),
        TableColumn.wide("Container-Runtime", "Container runtime version reported by the node.")),
        BuiltinPrinters::nodeRow);
  }

  private static List<Object> nodeRow(JsonNode node, Instant now) {
    JsonNode status = node.path("status");
    String state = "Unknown";
    for (JsonNode c : status.path("conditions")) {
      if (text(c, "type").equals("Ready")) {
        state = text(c, "status").equals("True") ? "Ready" : "NotReady";
      }
    }
    if (node.path("spec").path("unschedulable").asBoolean(false)) {
      state += ",SchedulingDisabled";
    }
    TreeSet<String> roles = new TreeSet<>();
    for (Map.Entry<String, JsonNode> label : node.path("metadata").path("labels").properties()) {
      if (label.getKey().startsWith("node-role.kubernetes.io/")) {
        String role = label.getKey().substring("node-role.kubernetes.io/".length());
        if (!role.isEmpty()) {
          roles.add(role);
        }
      } else if (label.getKey().equals("kubernetes.io/role") && !label.getValue().asString("").isEmpty()) {
        roles.add(label.getValue().asString());
      }
    }
    JsonNode info = status.path("nodeInfo");
    return List.of(name(node), state, roles.isEmpty() ? "<none>" : String.join(",", roles), age(node, now),
        text(info, "kubeletVersion"), address(status, "InternalIP"), address(status, "ExternalIP"),
        orUnknown(text(info, "osImage")), orUnknown(text(info, "kernelVersion")),
        orUnknown(text(info, "containerRuntimeVersion")));
  }

  private static String address(JsonNode status, String type) {
    for (JsonNode a : status.path("addresses")) {
      if (text(a, "type").equals(type)) {
        return text(a, "address");
      }
    }
    return "<none>";
  }

  // --- cells shared by several kinds

  static String name(JsonNode object) {
    return text(object.path("metadata"), "name");
  }

  static String age(JsonNode object, Instant now) {
    return HumanDuration.since(text(object.path("metadata"), "creationTimestamp"), now);
  }

  private static long replicas(JsonNode object) {
    return object.path("spec").path("replicas").asLong(1);
  }

  private static String containerNames(JsonNode podSpec) {
    List<String> names = new ArrayList<>();
    podSpec.path("containers").forEach(c -> names.add(text(c, "name")));
    return String.join(",", names);
  }

  private static String images(JsonNode podSpec) {
    List<String> images = new ArrayList<>();
    podSpec.path("containers").forEach(c -> images.add(text(c, "image")));
    return String.join(",", images);
  }

  /** As metav1.FormatLabelSelector: "k=v,k2 in (a,b)", "&lt;none&gt;" for an empty selector. */
  static String selector(JsonNode selector) {
    List<String> parts = new ArrayList<>();
    String labels = labels(selector.path("matchLabels"));
    if (!labels.isEmpty()) {
      parts.add(labels);
    }
    for (JsonNode e : selector.path("matchExpressions")) {
      String key = text(e, "key");
      List<String> values = new ArrayList<>(new TreeSet<>(strings(e.path("values"))));
      switch (text(e, "operator")) {
        case "In" -> parts.add(key + " in (" + String.join(",", values) + ")");
        case "NotIn" -> parts.add(key + " notin (" + String.join(",", values) + ")");
        case "Exists" -> parts.add(key);
        case "DoesNotExist" -> parts.add("!" + key);
        default -> parts.add(key + " " + text(e, "operator") + " " + values);
      }
    }
    return parts.isEmpty() ? "<none>" : String.join(",", parts);
  }

  /** "k=v,k2=v2" in key order, empty when there are none. */
  private static String labels(JsonNode map) {
    List<String> out = new ArrayList<>();
    new TreeSet<>(map.propertyNames()).forEach(k -> out.add(k + "=" + map.path(k).asString("")));
    return String.join(",", out);
  }

  private static boolean conditionTrue(JsonNode status, String type) {
    for (JsonNode c : status.path("conditions")) {
      if (text(c, "type").equals(type) && text(c, "status").equals("True")) {
        return true;
      }
    }
    return false;
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(v -> out.add(v.asString("")));
    return out;
  }

  private static Instant instant(String timestamp) {
    if (timestamp.isEmpty()) {
      return null;
    }
    try {
      return Instant.parse(timestamp);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  static String text(JsonNode node, String field) {
    JsonNode v = node.path(field);
    return v.isValueNode() ? v.asString("") : "";
  }

  private static String orNone(String s) {
    return s.isEmpty() ? "<none>" : s;
  }

  private static String orUnknown(String s) {
    return s.isEmpty() ? "<unknown>" : s;
  }

  private static String capitalized(boolean b) {
    return b ? "True" : "False";
  }
}
