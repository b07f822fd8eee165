package dev.palisade.dataplane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The agent image and the DaemonSet say what AgentJvm says: one list of JVM options, one memory limit. */
class AgentJvmTest {
  private static final Path ROOT = Path.of("..");

  @Test
  void dockerfileEntrypointRunsJavaWithExactlyTheAgentOptions() throws Exception {
    String docker = Files.readString(ROOT.resolve("deploy/images/Dockerfile.agent"));
    Matcher m = Pattern.compile("(?m)^ENTRYPOINT \\[(.*)]\\s*$").matcher(docker);
    assertTrue(m.find(), "Dockerfile.agent has an exec-form ENTRYPOINT");
    List<String> words = new ArrayList<>();
    Matcher w = Pattern.compile("\"([^\"]*)\"").matcher(m.group(1));
    while (w.find()) {
      words.add(w.group(1));
    }
    int jar = words.indexOf("-jar");
    assertTrue(words.get(0).equals("java") && jar > 0, "ENTRYPOINT is java OPTIONS -jar JAR: " + words);
    assertEquals(AgentJvm.OPTIONS, words.subList(1, jar),
        "Dockerfile.agent's JVM options differ from AgentJvm.OPTIONS: change both together");
  }

  @Test
  void memoryLimitIsTheDaemonSets() throws Exception {
    String ds = Files.readString(ROOT.resolve("deploy/base/agent.yaml"));
    // the agent container's limit, not the CNI installer's (an init container listed before it)
    String agent = ds.substring(ds.indexOf("      containers:\n      - name: agent"));
    Matcher m = Pattern.compile("limits: \\{memory: (\\S+)}").matcher(agent);
    assertTrue(m.find(), "deploy/base/agent.yaml's agent container has a memory limit");
    assertEquals(AgentJvm.MEMORY_LIMIT, m.group(1));
  }

  @Test
  void outsideTheContainerTheJvmIsToldTheContainersRam() {
    assertEquals("-XX:MaxRAM=512m", AgentJvm.asInContainer().get(0));
    assertEquals(AgentJvm.OPTIONS, AgentJvm.asInContainer().subList(1, AgentJvm.asInContainer().size()));
  }
}
