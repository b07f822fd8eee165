package dev.palisade.lab.kube;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * The Jobs a CronJob makes from its jobTemplate, named and annotated as Kubernetes names them:
 * a scheduled Job is {@code <cronjob>-<scheduled time in minutes since the epoch>} with the
 * scheduled time in {@value #SCHEDULED_TIMESTAMP}; a Job made by hand ({@code kubectl create job
 * --from=cronjob/NAME}, {@code palisade lab cron run}) carries {@value #INSTANTIATE}: manual. Both
 * are controlled by the CronJob (ownerReference with controller: true), so their pods' owner chain
 * is Pod -> Job -> CronJob. Pure.
 */
public final class CronJobTemplates {
  public static final String SCHEDULED_TIMESTAMP = "batch.kubernetes.io/cronjob-scheduled-timestamp";
  public static final String INSTANTIATE = "cronjob.kubernetes.io/instantiate";
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private CronJobTemplates() {}

  /** The name of the Job for this scheduled time: the real controller's, so a time runs once. */
  public static String scheduledName(CronJob cronJob, Instant scheduled) {
    return cronJob.getMetadata().getName() + "-" + scheduled.getEpochSecond() / 60;
  }

  static Job scheduled(CronJob cronJob, Instant scheduled, ZoneId zone) {
    return job(cronJob, scheduledName(cronJob, scheduled), Map.of(SCHEDULED_TIMESTAMP,
        DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(scheduled.atZone(zone))));
  }

  /** A Job to run now, as {@code kubectl create job NAME --from=cronjob/CRONJOB} makes it. */
  public static Job manual(CronJob cronJob, String name) {
    return job(cronJob, name, Map.of(INSTANTIATE, "manual"));
  }

  private static Job job(CronJob cronJob, String name, Map<String, String> extraAnnotations) {
    var template = cronJob.getSpec().getJobTemplate();
    if (template == null || template.getSpec() == null) {
      throw new IllegalArgumentException("CronJob " + cronJob.getMetadata().getNamespace() + "/"
          + cronJob.getMetadata().getName() + " has no spec.jobTemplate.spec");
    }
    ObjectMeta meta = template.getMetadata();
    Map<String, String> labels = KubeObjects.copy(meta == null ? null : meta.getLabels());
    Map<String, String> annotations = KubeObjects.copy(meta == null ? null : meta.getAnnotations());
    annotations.putAll(extraAnnotations);
    return new JobBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(cronJob.getMetadata().getNamespace())
        .withLabels(labels.isEmpty() ? null : labels)
        .withAnnotations(annotations)
        .withOwnerReferences(KubeObjects.controllerRef(cronJob))
        .endMetadata()
        .withSpec(JSON.clone(template.getSpec()))
        .build();
  }
}
