package dev.palisade.lab.net;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One container of a pod that runs a program of the host instead of the echo server: the argument
 * vector (the container's command followed by its args, with {@code $(VAR)} already expanded), the
 * environment it adds to the lab's PATH and HOME, the working directory (null: a temporary
 * directory of the pod), when kubelet would restart it, and how long it may take to stop.
 */
public record Program(String container, List<String> argv, Map<String, String> env, Path workingDir,
    RestartPolicy restart, Duration grace) {

  /** A pod's restartPolicy: what happens when a container's program exits with this code. */
  public enum RestartPolicy {
    ALWAYS, ON_FAILURE, NEVER;

    /** The spec value ("Always", "OnFailure", "Never"; null is Always, as the API server defaults it). */
    public static RestartPolicy of(String value) {
      if (value == null || value.equals("Always")) {
        return ALWAYS;
      }
      return switch (value) {
        case "OnFailure" -> ON_FAILURE;
        case "Never" -> NEVER;
        default -> throw new IllegalArgumentException("unknown restartPolicy '" + value
            + "': expected Always, OnFailure or Never");
      };
    }

    boolean restarts(int exitCode) {
      return this == ALWAYS || (this == ON_FAILURE && exitCode != 0);
    }
  }

  public Program {
    Objects.requireNonNull(container, "container");
    argv = List.copyOf(argv);
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("container " + container + " has neither command nor args to run");
    }
    env = Map.copyOf(env);
    Objects.requireNonNull(restart, "restart");
    Objects.requireNonNull(grace, "grace");
  }
}
