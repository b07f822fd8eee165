package dev.palisade.lab.kube.table;

import static dev.palisade.lab.kube.table.Cells.age;
import static dev.palisade.lab.kube.table.Cells.conditionTrue;
import static dev.palisade.lab.kube.table.Cells.instant;
import static dev.palisade.lab.kube.table.Cells.labels;
import static dev.palisade.lab.kube.table.Cells.name;
import static dev.palisade.lab.kube.table.Cells.orNone;
import static dev.palisade.lab.kube.table.Cells.orUnknown;
import static dev.palisade.lab.kube.table.Cells.strings;
import static dev.palisade.lab.kube.table.Cells.text;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * kube-apiserver's printers for the core group's kinds the lab serves: pods, services, namespaces
 * and nodes. A missing service type prints as ClusterIP, a missing namespace phase as Active.
 */
final class CorePrinters {
  private CorePrinters() {}

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
        CorePrinters::podRow);
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
        CorePrinters::nodeRow);
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
}
