package dev.palisade.lab.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.lab.net.Program;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a container spec becomes the program the lab runs: argv, env, working dir, policy, errors. */
class ContainerCommandsTest {
  private static Pod pod() {
    return new PodBuilder()
        .withNewMetadata().withName("web-1").withNamespace("shop").withUid("u1").withLabels(Map.of("app", "web"))
        .endMetadata()
        .withNewSpec().withNodeName("lab-node-0").withRestartPolicy("OnFailure").withTerminationGracePeriodSeconds(3L)
        .addNewContainer().withName("echo").withImage("palisade/echo").endContainer()
        .addNewContainer().withName("server").withCommand("python3", "-m", "http.server").withArgs("$(PORT)", "$$(PORT)")
        .withWorkingDir("/srv")
        .addNewEnv().withName("PORT").withValue("8000").endEnv()
        .addNewEnv().withName("URL").withValue("http://$(IP):$(PORT)/$(NOPE)").endEnv()
        .addNewEnv().withName("IP").withNewValueFrom().withNewFieldRef().withFieldPath("status.podIP").endFieldRef()
        .endValueFrom().endEnv()
        .addNewEnv().withName("NAME").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name").endFieldRef()
        .endValueFrom().endEnv()
        .addNewEnv().withName("APP").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.labels['app']")
        .endFieldRef().endValueFrom().endEnv()
        .endContainer()
        .addNewContainer().withName("args-only").withArgs("sleep", "5").endContainer()
        .addNewContainer().withName("secret").withCommand("true")
        .addNewEnv().withName("PW").withNewValueFrom().withNewSecretKeyRef().withName("s").withKey("k").endSecretKeyRef()
        .endValueFrom().endEnv().endContainer()
        .endSpec().build();
  }

  @Test
  void onlyContainersWithACommandOrArgsRunPrograms() {
    List<ContainerCommands.Plan> plans = ContainerCommands.of(pod(), "10.244.0.5", "10.243.0.2");
    assertEquals(List.of("server", "args-only", "secret"), plans.stream().map(ContainerCommands.Plan::container).toList());
  }

  @Test
  void commandArgsEnvAndWorkingDirAreReadAsKubeletReadsThem() {
    Program p = ContainerCommands.of(pod(), "10.244.0.5", "10.243.0.2").get(0).program();
    assertEquals(List.of("python3", "-m", "http.server", "8000", "$(PORT)"), p.argv());
    // IP is defined after URL, so URL's $(IP) stays as written; an unknown name stays too.
    assertEquals("http://$(IP):8000/$(NOPE)", p.env().get("URL"));
    assertEquals("10.244.0.5", p.env().get("IP"));
    assertEquals("web-1", p.env().get("NAME"));
    assertEquals("web", p.env().get("APP"));
    assertEquals(Path.of("/srv"), p.workingDir());
    assertEquals(Program.RestartPolicy.ON_FAILURE, p.restart());
    assertEquals(Duration.ofSeconds(3), p.grace());
  }

  @Test
  void argsAloneAreTheCommandLineAndNoWorkingDirMeansThePodsTemporaryOne() {
    Program p = ContainerCommands.of(pod(), "10.244.0.5", "10.243.0.2").get(1).program();
    assertEquals(List.of("sleep", "5"), p.argv());
    assertNull(p.workingDir());
  }

  @Test
  void aSecretReferenceIsAConfigErrorNamingIt() {
    ContainerCommands.Plan plan = ContainerCommands.of(pod(), "10.244.0.5", "10.243.0.2").get(2);
    assertNull(plan.program());
    assertTrue(plan.configError().contains("secretKeyRef") && plan.configError().contains("PW"), plan.configError());
  }

  @Test
  void restartPoliciesDecideWhichExitsRestart() {
    assertTrue(Program.RestartPolicy.of(null) == Program.RestartPolicy.ALWAYS);
    assertEquals(Program.RestartPolicy.NEVER, Program.RestartPolicy.of("Never"));
  }
}
