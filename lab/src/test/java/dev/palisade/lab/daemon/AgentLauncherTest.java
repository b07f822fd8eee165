package dev.palisade.lab.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.palisade.dataplane.agent.AgentJvm;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lab's agent processes start as the agent image starts its JVM; other launchers are left alone. */
class AgentLauncherTest {
  @Test
  void javaLauncherGetsTheAgentImagesOptionsRightAfterJava() {
    List<String> want = new ArrayList<>(List.of("/usr/lib/jvm/bin/java"));
    want.addAll(AgentJvm.asInContainer());
    want.addAll(List.of("-cp", "x.jar", "Main"));
    assertEquals(want, PalisadeProcesses.agentLauncher(List.of("/usr/lib/jvm/bin/java", "-cp", "x.jar", "Main")));
  }

  @Test
  void otherLauncherIsUsedAsGiven() {
    assertEquals(List.of("/opt/palisade/bin/palisade"), PalisadeProcesses.agentLauncher(List.of("/opt/palisade/bin/palisade")));
  }
}
