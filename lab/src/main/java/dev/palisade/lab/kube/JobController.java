package dev.palisade.lab.kube;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Runs {@code min(parallelism, completions)} pods per Job (each defaults to 1; none while
 * suspended). Lab pods serve until deleted, so a Job never completes: its pods simply stay Running.
 * Indexed Jobs get one pod per index, {@code <job>-<index>-<random>}.
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
    if (job == null || KubeObjects.terminating(job)) {
      return;
    }
    Integer completions = job.getSpec().getCompletions();
    int parallelism = KubeObjects.replicas(job.getSpec().getParallelism());
    int desired = completions == null ? parallelism : Math.min(parallelism, completions);
    if (Boolean.TRUE.equals(job.getSpec().getSuspend())) {
      desired = 0;
    }
    boolean indexed = "Indexed".equals(job.getSpec().getCompletionMode());
    List<Pod> pods = new ArrayList<>(ctx.podsOf(job));
    if (pods.size() > desired) {
      pods.sort(KubeObjects.DELETE_FIRST);
      while (pods.size() > desired) {
        ctx.delete(pods.remove(0));
      }
    }
    TreeSet<Integer> usedIndexes = new TreeSet<>();
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
    writeStatus(job, pods);
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

  private void writeStatus(Job job, List<Pod> pods) {
    String start = job.getStatus() != null && job.getStatus().getStartTime() != null ? job.getStatus().getStartTime()
        : KubeObjects.now();
    JobStatus status = new JobStatusBuilder()
        .withActive(pods.size())
        .withReady((int) pods.stream().filter(KubeObjects::ready).count())
        .withStartTime(start)
        .build();
    if (job.getStatus() == null || !status.getActive().equals(job.getStatus().getActive())
        || !status.getReady().equals(job.getStatus().getReady()) || job.getStatus().getStartTime() == null) {
      ctx.editStatus(job, x -> {
        x.setStatus(status);
        return x;
      });
    }
  }
}
