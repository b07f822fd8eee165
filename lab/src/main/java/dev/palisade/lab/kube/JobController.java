package dev.palisade.lab.kube;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Runs {@code min(parallelism, completions - succeeded)} pods per Job (each defaults to 1; none
 * while suspended). A Job completes when {@code completions} pods (or, without completions, one pod
 * and then all of them) Succeeded, and fails when more pods Failed (plus, for restartPolicy
 * OnFailure, container restarts) than its backoffLimit (default 6); a finished Job is left alone.
 * Pods whose containers run programs finish (see {@link KubeletStatus}); pods served by the echo
 * server serve until deleted, so their Job stays active. Indexed Jobs get one pod per index,
 * {@code <job>-<index>-<random>}.
 */
final class JobController {
  static final String JOB_NAME = "job-name";
  static final String BATCH_JOB_NAME = "batch.kubernetes.io/job-name";
  static final String CONTROLLER_UID = "controller-uid";
  static final String BATCH_CONTROLLER_UID = "batch.kubernetes.io/controller-uid";
  static final String COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";
  private final ControllerContext ctx;

  JobController(ControllerContext ctx) {
    this.ctx = ctx;
  }

  void reconcile(String namespace, String name) {
    Job job = ctx.client.batch().v1().jobs().inNamespace(namespace).withName(name).get();
    if (job == null || KubeObjects.terminating(job) || finished(job)) {
      return;
    }
    List<Pod> owned = ctx.pods(namespace).stream()
        .filter(p -> KubeObjects.controlledBy(p, job) && !KubeObjects.terminating(p)).toList();
    List<Pod> pods = new ArrayList<>(owned.stream().filter(KubeObjects::active).toList());
    List<Pod> succeededPods = owned.stream().filter(p -> phase(p).equals("Succeeded")).toList();
    boolean indexed = "Indexed".equals(job.getSpec().getCompletionMode());
    TreeSet<Integer> succeededIndexes = new TreeSet<>();
    succeededPods.forEach(p -> succeededIndexes.add(index(p)));
    int succeeded = indexed ? succeededIndexes.size() : succeededPods.size();
    int failed = (int) owned.stream().filter(p -> phase(p).equals("Failed")).count();
    if ("OnFailure".equals(job.getSpec().getTemplate().getSpec().getRestartPolicy())) {
      failed += owned.stream().mapToInt(JobController::restarts).sum(); // kubelet's restarts count as failures
    }
    int backoffLimit = job.getSpec().getBackoffLimit() == null ? 6 : job.getSpec().getBackoffLimit();
    Integer completions = job.getSpec().getCompletions();
    int parallelism = KubeObjects.replicas(job.getSpec().getParallelism());
    if (failed > backoffLimit) {
      pods.forEach(ctx::delete);
      writeStatus(job, List.of(), succeeded, failed, condition("Failed", "BackoffLimitExceeded",
          "Job has reached the specified backoff limit"));
      return;
    }
    boolean complete = completions == null ? succeeded > 0 && pods.isEmpty() : succeeded >= completions;
    if (complete) {
      pods.forEach(ctx::delete);
      writeStatus(job, List.of(), succeeded, failed, condition("Complete", "CompletionsReached",
          "Reached expected number of succeeded pods"));
      return;
    }
    int desired = completions == null ? (succeeded > 0 ? pods.size() : parallelism)
        : Math.min(parallelism, completions - succeeded);
    if (Boolean.TRUE.equals(job.getSpec().getSuspend())) {
      desired = 0;
    }
    if (pods.size() > desired) {
      pods.sort(KubeObjects.DELETE_FIRST);
      while (pods.size() > desired) {
        ctx.delete(pods.remove(0));
      }
    }
    TreeSet<Integer> usedIndexes = new TreeSet<>(succeededIndexes);
    pods.forEach(p -> usedIndexes.add(index(p)));
    int next = 0;
    while (pods.size() < desired) {
      Integer index = null;
      if (indexed) {
        while (usedIndexes.contains(next)) {
          next++;
        }
        index = next;
        usedIndexes.add(next);
      }
      pods.add(ctx.create(newPod(job, index)));
    }
    writeStatus(job, pods, succeeded, failed, null);
  }

  private static boolean finished(Job job) {
    return job.getStatus() != null && job.getStatus().getConditions() != null && job.getStatus().getConditions()
        .stream().anyMatch(c -> ("Complete".equals(c.getType()) || "Failed".equals(c.getType()))
            && "True".equals(c.getStatus()));
  }

  private static String phase(Pod pod) {
    return pod.getStatus() == null || pod.getStatus().getPhase() == null ? "" : pod.getStatus().getPhase();
  }

  private static int restarts(Pod pod) {
    return pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null ? 0
        : pod.getStatus().getContainerStatuses().stream().mapToInt(c -> KubeObjects.orZero(c.getRestartCount())).sum();
  }

  private static JobCondition condition(String type, String reason, String message) {
    String now = KubeObjects.now();
    return new JobConditionBuilder().withType(type).withStatus("True").withReason(reason).withMessage(message)
        .withLastProbeTime(now).withLastTransitionTime(now).build();
  }

  private static int index(Pod pod) {
    String value = KubeObjects.copy(pod.getMetadata().getAnnotations()).get(COMPLETION_INDEX);
    try {
      return value == null ? -1 : Integer.parseInt(value);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private Pod newPod(Job job, Integer index) {
    PodTemplateSpec template = job.getSpec().getTemplate();
    String jobName = job.getMetadata().getName();
    String uid = job.getMetadata().getUid();
    Map<String, String> labels = KubeObjects.copy(template.getMetadata() == null ? null : template.getMetadata().getLabels());
    labels.put(JOB_NAME, jobName);
    labels.put(BATCH_JOB_NAME, jobName);
    labels.put(CONTROLLER_UID, uid);
    labels.put(BATCH_CONTROLLER_UID, uid);
    Map<String, String> annotations = KubeObjects.copy(template.getMetadata() == null ? null : template.getMetadata().getAnnotations());
    if (index != null) {
      labels.put(COMPLETION_INDEX, index.toString());
      annotations.put(COMPLETION_INDEX, index.toString());
    }
    return new PodBuilder()
        .withNewMetadata()
        .withName(jobName + "-" + (index == null ? "" : index + "-") + ctx.randomSuffix())
        .withNamespace(job.getMetadata().getNamespace())
        .withLabels(labels)
        .withAnnotations(annotations.isEmpty() ? null : annotations)
        .withOwnerReferences(KubeObjects.controllerRef(job))
        .endMetadata()
        .withSpec(ctx.client.getKubernetesSerialization().clone(template.getSpec()))
        .build();
  }

  /** Writes the counts, and once the Job finished its final condition (after which it is left alone). */
  private void writeStatus(Job job, List<Pod> pods, int succeeded, int failed, JobCondition end) {
    String start = job.getStatus() != null && job.getStatus().getStartTime() != null ? job.getStatus().getStartTime()
        : KubeObjects.now();
    JobStatusBuilder b = new JobStatusBuilder()
        .withActive(pods.size())
        .withReady((int) pods.stream().filter(KubeObjects::ready).count())
        .withSucceeded(succeeded > 0 ? succeeded : null)
        .withFailed(failed > 0 ? failed : null)
        .withStartTime(start);
    if (end != null) {
      // Kubernetes 1.31 sets the target condition first (SuccessCriteriaMet, FailureTarget), then the final one.
      String target = end.getType().equals("Complete") ? "SuccessCriteriaMet" : "FailureTarget";
      b.withConditions(new JobConditionBuilder(end).withType(target).build(), end);
      if (end.getType().equals("Complete")) {
        b.withCompletionTime(end.getLastTransitionTime());
      }
    }
    JobStatus status = b.build();
    var json = ctx.client.getKubernetesSerialization();
    if (job.getStatus() == null || !json.asJson(status).equals(json.asJson(job.getStatus()))) {
      ctx.editStatus(job, x -> {
        x.setStatus(status);
        return x;
      });
    }
  }
}
