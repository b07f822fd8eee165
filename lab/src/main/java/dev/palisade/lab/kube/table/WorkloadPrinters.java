package dev.palisade.lab.kube.table;

import static dev.palisade.lab.kube.table.Cells.age;
import static dev.palisade.lab.kube.table.Cells.capitalized;
import static dev.palisade.lab.kube.table.Cells.conditionTrue;
import static dev.palisade.lab.kube.table.Cells.containerNames;
import static dev.palisade.lab.kube.table.Cells.images;
import static dev.palisade.lab.kube.table.Cells.instant;
import static dev.palisade.lab.kube.table.Cells.labels;
import static dev.palisade.lab.kube.table.Cells.name;
import static dev.palisade.lab.kube.table.Cells.orNone;
import static dev.palisade.lab.kube.table.Cells.replicas;
import static dev.palisade.lab.kube.table.Cells.selector;
import static dev.palisade.lab.kube.table.Cells.text;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * kube-apiserver's printers for the workload kinds: deployments, replicasets, statefulsets,
 * daemonsets, jobs and cronjobs. Missing replica counts print as kube's default (1).
 */
final class WorkloadPrinters {
  private static final TableColumn CONTAINERS = TableColumn.wide("Containers", "Names of each container in the template.");
  private static final TableColumn IMAGES = TableColumn.wide("Images", "Images referenced by each container in the template.");
  private static final TableColumn SELECTOR = TableColumn.wide("Selector", "Label selector for the objects it manages.");

  private WorkloadPrinters() {}

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
        WorkloadPrinters::jobRow);
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
}
