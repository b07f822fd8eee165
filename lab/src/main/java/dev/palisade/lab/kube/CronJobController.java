package dev.palisade.lab.kube;

import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes' CronJob controller (v2) for the lab: at each time of {@code spec.schedule} (in
 * {@code spec.timeZone}, UTC without one; the real controller's default is its host's zone) it makes
 * a Job from the jobTemplate (see {@link CronJobTemplates}), only the most recent of several missed
 * times and none older than {@code startingDeadlineSeconds}. While {@code suspend} nothing is
 * made. {@code concurrencyPolicy} Forbid skips a time while a Job of the CronJob is active (the
 * time is then run when it finishes, if still due); Replace deletes the active Jobs first; Allow
 * runs them side by side. Finished Jobs beyond {@code successfulJobsHistoryLimit} (3) and {@code
 * failedJobsHistoryLimit} (1) are deleted, oldest first. Status: active Jobs, lastScheduleTime,
 * lastSuccessfulTime. After each pass the CronJob is queued again for its next time.
 */
final class CronJobController {
  private static final Logger LOG = LoggerFactory.getLogger(CronJobController.class);

  /** Queues the CronJob (namespace, name) again after the delay. */
  interface Requeue {
    void after(String namespace, String name, Duration delay);
  }

  private final ControllerContext ctx;
  private final Clock clock;
  private final Requeue requeue;
  /** Bad schedules already logged, so a wrong CronJob is reported once, not every pass. */
  private final Set<String> reported = ConcurrentHashMap.newKeySet();

  CronJobController(ControllerContext ctx, Clock clock, Requeue requeue) {
    this.ctx = ctx;
    this.clock = clock;
    this.requeue = requeue;
  }

  void reconcile(String namespace, String name) {
    CronJob cj = ctx.client.batch().v1().cronjobs().inNamespace(namespace).withName(name).get();
    if (cj == null || KubeObjects.terminating(cj)) {
      return;
    }
    List<Job> jobs = new ArrayList<>(ctx.client.batch().v1().jobs().inNamespace(namespace).list().getItems().stream()
        .filter(j -> KubeObjects.controlledBy(j, cj) && !KubeObjects.terminating(j)).toList());
    List<Job> active = new ArrayList<>(jobs.stream().filter(j -> finish(j).isEmpty()).toList());
    cleanUp(jobs, "Complete", orDefault(cj.getSpec().getSuccessfulJobsHistoryLimit(), 3));
    cleanUp(jobs, "Failed", orDefault(cj.getSpec().getFailedJobsHistoryLimit(), 1));

    String lastSchedule = cj.getStatus() == null ? null : cj.getStatus().getLastScheduleTime();
    Instant now = clock.instant();
    CronSchedule schedule;
    ZoneId zone;
    try {
      schedule = CronSchedule.parse(cj.getSpec().getSchedule());
      zone = cj.getSpec().getTimeZone() == null ? ZoneId.of("UTC") : ZoneId.of(cj.getSpec().getTimeZone());
      reported.remove(namespace + "/" + name);
    } catch (RuntimeException e) { // the API server would have refused it; the lab reports it once
      if (reported.add(namespace + "/" + name)) {
        LOG.warn("CronJob {}/{} is not scheduled: {}", namespace, name, e.getMessage());
      }
      writeStatus(cj, active, lastSchedule, jobs);
      return;
    }
    if (!Boolean.TRUE.equals(cj.getSpec().getSuspend())) {
      Instant earliest = lastSchedule != null ? Instant.parse(lastSchedule)
          : cj.getMetadata().getCreationTimestamp() != null ? Instant.parse(cj.getMetadata().getCreationTimestamp())
          : now;
      Long deadline = cj.getSpec().getStartingDeadlineSeconds();
      if (deadline != null && earliest.isBefore(now.minusSeconds(deadline))) {
        earliest = now.minusSeconds(deadline); // times older than the deadline are missed for good
      }
      Instant due = schedule.mostRecent(earliest, now, zone);
      if (due != null) {
        String jobName = CronJobTemplates.scheduledName(cj, due);
        boolean exists = jobs.stream().anyMatch(j -> j.getMetadata().getName().equals(jobName));
        String policy = cj.getSpec().getConcurrencyPolicy() == null ? "Allow" : cj.getSpec().getConcurrencyPolicy();
        if (exists) {
          lastSchedule = due.toString();
        } else if (policy.equals("Forbid") && !active.isEmpty()) {
          LOG.debug("CronJob {}/{}: {} skipped, {} still active (Forbid)", namespace, name, due, active.size());
        } else {
          if (policy.equals("Replace")) {
            active.forEach(ctx::delete);
            active.clear();
          }
          Job job = ctx.create(CronJobTemplates.scheduled(cj, due, zone));
          active.add(job);
          jobs.add(job);
          lastSchedule = due.toString();
        }
      }
    }
    writeStatus(cj, active, lastSchedule, jobs);
    Instant next = schedule.next(now, zone);
    if (next != null) {
      requeue.after(namespace, name, Duration.between(now, next).plusMillis(100));
    }
  }

  /** "Complete" or "Failed" once the Job finished, else empty. */
  static Optional<JobCondition> finish(Job job) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return job.getStatus().getConditions().stream()
        .filter(c -> ("Complete".equals(c.getType()) || "Failed".equals(c.getType())) && "True".equals(c.getStatus()))
        .findFirst();
  }

  private void cleanUp(List<Job> jobs, String type, int limit) {
    List<Job> finished = new ArrayList<>(jobs.stream()
        .filter(j -> finish(j).map(c -> c.getType().equals(type)).orElse(false))
        .sorted(Comparator.comparing(CronJobController::startedOrCreated)).toList());
    while (finished.size() > Math.max(0, limit)) {
      Job oldest = finished.remove(0);
      ctx.delete(oldest); // its pods follow through the garbage collector
      jobs.remove(oldest);
    }
  }

  private static String startedOrCreated(Job j) {
    String t = j.getStatus() != null && j.getStatus().getStartTime() != null ? j.getStatus().getStartTime()
        : j.getMetadata().getCreationTimestamp();
    return (t == null ? "" : t) + j.getMetadata().getName();
  }

  private void writeStatus(CronJob cj, List<Job> active, String lastSchedule, List<Job> jobs) {
    List<ObjectReference> refs = active.stream()
        .sorted(Comparator.comparing(j -> j.getMetadata().getName()))
        .map(j -> new ObjectReferenceBuilder().withApiVersion("batch/v1").withKind("Job")
            .withName(j.getMetadata().getName()).withNamespace(j.getMetadata().getNamespace())
            .withUid(j.getMetadata().getUid()).build())
        .toList();
    String lastSuccess = cj.getStatus() == null ? null : cj.getStatus().getLastSuccessfulTime();
    for (Job j : jobs) {
      Optional<JobCondition> end = finish(j);
      if (end.isPresent() && end.get().getType().equals("Complete") && j.getStatus().getCompletionTime() != null
          && (lastSuccess == null || j.getStatus().getCompletionTime().compareTo(lastSuccess) > 0)) {
        lastSuccess = j.getStatus().getCompletionTime();
      }
    }
    CronJobStatus status = new CronJobStatusBuilder().withActive(refs.isEmpty() ? null : refs)
        .withLastScheduleTime(lastSchedule).withLastSuccessfulTime(lastSuccess).build();
    var json = ctx.client.getKubernetesSerialization();
    CronJobStatus old = cj.getStatus() == null ? new CronJobStatus() : cj.getStatus();
    if (!json.asJson(status).equals(json.asJson(old))) {
      ctx.editStatus(cj, x -> {
        x.setStatus(status);
        return x;
      });
    }
  }

  private static int orDefault(Integer value, int otherwise) {
    return value == null ? otherwise : value;
  }
}
