package dev.palisade.dataplane.agent;

import java.util.ArrayList;
import java.util.List;

/**
 * The agent's JVM options, in one place: deploy/images/Dockerfile.agent starts the agent with
 * exactly {@link #OPTIONS} (AgentJvmTest checks the file against this list), the memory bench and
 * the lab's agent processes start it with {@link #asInContainer()}.
 *
 * <ul>
 *   <li>SerialGC: what JDK 17's ergonomics pick anyway in the DaemonSet's 512Mi container (under
 *       1792 MiB or 2 CPUs it is not a "server class machine"), said here so a bench or a lab on
 *       a big machine does not silently measure G1 instead;
 *   <li>Min/MaxHeapFreeRatio 10/20: after a large sync the heap shrinks back towards what is live
 *       (the defaults 40/70 keep the peak committed: measured 67 MiB committed for 18 MiB live
 *       after 100k elements); the agent's steady state allocates little, so it regrows rarely.
 * </ul>
 */
public final class AgentJvm {
  private AgentJvm() {}

  /** The JVM options between {@code java} and {@code -jar} in the agent image's ENTRYPOINT. */
  public static final List<String> OPTIONS = List.of("-XX:MaxRAMPercentage=75", "-XX:+UseSerialGC",
      "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=20", "-Djava.io.tmpdir=/tmp");

  /** The DaemonSet's memory limit (deploy/base/agent.yaml), which the container's JVM sees as its RAM. */
  public static final String MEMORY_LIMIT = "512Mi";

  /**
   * The options for an agent JVM started outside its container (a bench, the lab): {@link #OPTIONS}
   * plus -XX:MaxRAM set to the container's limit, so heap sizing and GC choice are the container's.
   */
  public static List<String> asInContainer() {
    List<String> out = new ArrayList<>();
    out.add("-XX:MaxRAM=" + MEMORY_LIMIT.replace("Mi", "m"));
    out.addAll(OPTIONS);
    return List.copyOf(out);
  }
}
