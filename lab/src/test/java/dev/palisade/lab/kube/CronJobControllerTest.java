package dev.palisade.lab.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.WatchEventsOnLoop;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The CronJob controller with a fake clock, against fabric8's mock API server in CRUD mode as
 * {@link WorkloadControllersTest} runs the other controllers. Pods of the in-memory runtime serve
 * until told otherwise; a test finishes a Job by marking its pods Succeeded, as kubelet would.
 */
class CronJobControllerTest {
  private static final String NS = "batch";
  private static final Duration SETTLE = Duration.ofSeconds(30);

  /** A clock the test moves by hand. */
  static final class FakeClock extends Clock {
    private volatile Instant now;

    FakeClock(Instant now) {
      this.now = now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    void set(Instant t) {
      now = t;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneId.of("UTC");
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  private KubernetesMockServer server;
  private KubernetesClient client;
  private WorkloadControllers controllers;
  private FakeClock clock;

  @BeforeAll
  static void quietMockServer() {
    java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
  }

  @BeforeEach
  void start() {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        WatchEventsOnLoop.wrap(new KubernetesCrudDispatcher()), false);
    server.init();
    client = server.createClient();
    clock = new FakeClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    controllers = new WorkloadControllers(client, new FakePodRuntime(), 1, clock);
    controllers.start();
  }

  @AfterEach
  void stop() {
    controllers.close();
    server.destroy();
    client.close();
  }

  private CronJob cronJob(String name, String schedule, String policy, boolean suspend) {
    CronJob cj = new CronJobBuilder()
        .withNewMetadata().withName(name).withNamespace(NS).endMetadata()
        .withNewSpec().withSchedule(schedule).withConcurrencyPolicy(policy).withSuspend(suspend)
        .withSuccessfulJobsHistoryLimit(2).withFailedJobsHistoryLimit(1)
        .withNewJobTemplate().withNewMetadata().withLabels(Map.of("app", name)).endMetadata()
        .withNewSpec().withNewTemplate().withNewMetadata().withLabels(Map.of("app", name)).endMetadata()
        .withNewSpec().withRestartPolicy("Never").addNewContainer().withName("main").withImage("busybox")
        .withCommand("sh", "-c", "echo hello").endContainer().endSpec()
        .endTemplate().endSpec().endJobTemplate().endSpec().build();
    return client.batch().v1().cronjobs().inNamespace(NS).resource(cj).create();
  }

  private List<Job> jobs() {
    return client.batch().v1().jobs().inNamespace(NS).list().getItems().stream()
        .sorted(java.util.Comparator.comparing(j -> j.getMetadata().getName())).toList();
  }

  private List<String> jobNames() {
    return jobs().stream().map(j -> j.getMetadata().getName()).toList();
  }

  /** Moves the clock to the next whole multiple of {@code minutes} past the hour, plus 5 s, and settles. */
  private Instant tick(int minutes) {
    Instant now = clock.instant();
    Instant next = now.truncatedTo(ChronoUnit.HOURS);
    while (!next.isAfter(now)) {
      next = next.plus(Duration.ofMinutes(minutes));
    }
    clock.set(next.plusSeconds(5));
    controllers.awaitIdle(SETTLE);
    return next;
  }

  private void finishPodsOf(Job job, String phase) {
    for (Pod p : client.pods().inNamespace(NS).list().getItems()) {
      if (KubeObjects.controlledBy(p, job)) {
        client.pods().inNamespace(NS).resource(p).editStatus(x -> {
          x.getStatus().setPhase(phase);
          return x;
        });
      }
    }
    controllers.awaitIdle(SETTLE);
  }

  /** Fails the Job for good: no retries left, and its pod Failed. */
  private void failJob(String name) {
    Job job = client.batch().v1().jobs().inNamespace(NS).withName(name).edit(j -> {
      j.getSpec().setBackoffLimit(0);
      return j;
    });
    finishPodsOf(job, "Failed");
    assertEquals("Failed", CronJobController.finish(client.batch().v1().jobs().inNamespace(NS).withName(name).get())
        .map(c -> c.getType()).orElse("active"));
  }

  private CronJob get(String name) {
    return client.batch().v1().cronjobs().inNamespace(NS).withName(name).get();
  }

  @Test
  void aScheduledTimeMakesOneJobNamedByItsMinuteOwnedByTheCronJob() {
    CronJob cj = cronJob("report", "*/5 * * * *", "Allow", false);
    controllers.awaitIdle(SETTLE);
    assertEquals(List.of(), jobNames(), "nothing before the first scheduled time");

    Instant due = tick(5);
    assertEquals(List.of("report-" + due.getEpochSecond() / 60), jobNames());
    Job job = jobs().get(0);
    OwnerReference owner = job.getMetadata().getOwnerReferences().get(0);
    assertEquals("CronJob", owner.getKind());
    assertEquals(cj.getMetadata().getUid(), owner.getUid());
    assertTrue(owner.getController());
    assertEquals("report", job.getMetadata().getLabels().get("app"));
    assertEquals(due, Instant.parse(job.getMetadata().getAnnotations().get(CronJobTemplates.SCHEDULED_TIMESTAMP)));
    assertEquals(List.of("sh", "-c", "echo hello"), job.getSpec().getTemplate().getSpec().getContainers().get(0).getCommand());
    CronJob after = get("report");
    assertEquals(due, Instant.parse(after.getStatus().getLastScheduleTime()));
    assertEquals(List.of(job.getMetadata().getName()), after.getStatus().getActive().stream().map(r -> r.getName()).toList());
    // Its pod: Pod -> Job -> CronJob.
    Pod pod = client.pods().inNamespace(NS).list().getItems().get(0);
    assertEquals(job.getMetadata().getUid(), KubeObjects.controllerOf(pod).orElseThrow().getUid());

    controllers.awaitIdle(SETTLE);
    assertEquals(1, jobs().size(), "the same time does not run twice");
  }

  @Test
  void onlyTheMostRecentOfSeveralMissedTimesRuns() {
    cronJob("catchup", "*/5 * * * *", "Allow", false);
    controllers.awaitIdle(SETTLE);
    clock.advance(Duration.ofMinutes(31));
    Instant due = tick(5);
    assertEquals(List.of("catchup-" + due.getEpochSecond() / 60), jobNames());
  }

  @Test
  void forbidSkipsATimeWhileAJobRunsAndRunsItWhenItFinishes() {
    cronJob("single", "*/5 * * * *", "Forbid", false);
    tick(5);
    Job first = jobs().get(0);
    Instant second = tick(5);
    assertEquals(List.of(first.getMetadata().getName()), jobNames(), "the first Job is still active");

    finishPodsOf(first, "Succeeded");
    assertNotNull(CronJobController.finish(jobs().get(0)).orElse(null), "the first Job completed");
    assertEquals(2, jobs().size(), "the skipped time runs once the active Job finished");
    assertTrue(jobNames().contains("single-" + second.getEpochSecond() / 60), jobNames().toString());
    assertNotNull(get("single").getStatus().getLastSuccessfulTime());
  }

  @Test
  void replaceDeletesTheActiveJobAndAllowRunsThemSideBySide() {
    cronJob("replace", "*/5 * * * *", "Replace", false);
    cronJob("allow", "*/5 * * * *", "Allow", false);
    tick(5);
    Instant second = tick(5);
    List<String> names = jobNames();
    assertEquals(3, names.size(), names.toString());
    assertTrue(names.contains("replace-" + second.getEpochSecond() / 60), names.toString());
    assertEquals(2, names.stream().filter(n -> n.startsWith("allow-")).count(), names.toString());
  }

  @Test
  void aSuspendedCronJobMakesNothingUntilResumed() {
    cronJob("paused", "* * * * *", "Allow", true);
    tick(1);
    tick(1);
    assertEquals(List.of(), jobNames());
    client.batch().v1().cronjobs().inNamespace(NS).withName("paused").edit(c -> {
      c.getSpec().setSuspend(false);
      return c;
    });
    Instant due = tick(1);
    assertEquals(List.of("paused-" + due.getEpochSecond() / 60), jobNames());
  }

  @Test
  void finishedJobsBeyondTheHistoryLimitsAreDeletedOldestFirst() {
    cronJob("history", "* * * * *", "Allow", false);
    List<String> succeeded = new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Instant due = tick(1);
      String name = "history-" + due.getEpochSecond() / 60;
      succeeded.add(name);
      finishPodsOf(client.batch().v1().jobs().inNamespace(NS).withName(name).get(), "Succeeded");
    }
    Instant failedDue = tick(1);
    failJob("history-" + failedDue.getEpochSecond() / 60);
    Instant lastDue = tick(1);
    failJob("history-" + lastDue.getEpochSecond() / 60);
    controllers.awaitIdle(SETTLE);
    // Two successful (the newest) and one failed (the newest) remain.
    List<String> names = jobNames();
    assertEquals(List.of(succeeded.get(2), succeeded.get(3), "history-" + lastDue.getEpochSecond() / 60), names);
  }

  @Test
  void aManualJobCarriesTheInstantiateAnnotationAndTheCronJobAsController() {
    CronJob cj = cronJob("nightly", "0 3 * * *", "Forbid", false);
    Job job = client.batch().v1().jobs().inNamespace(NS).resource(CronJobTemplates.manual(cj, "nightly-manual-abcde"))
        .create();
    controllers.awaitIdle(SETTLE);
    assertEquals("manual", job.getMetadata().getAnnotations().get(CronJobTemplates.INSTANTIATE));
    assertEquals(cj.getMetadata().getUid(), KubeObjects.controllerOf(job).orElseThrow().getUid());
    assertEquals(1, client.pods().inNamespace(NS).list().getItems().size(), "the Job runs its pod");
    assertEquals(List.of("nightly-manual-abcde"), get("nightly").getStatus().getActive().stream().map(r -> r.getName()).toList());
  }
}
