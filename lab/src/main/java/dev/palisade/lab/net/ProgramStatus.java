package dev.palisade.lab.net;

import java.time.Instant;

/**
 * What a container's program is doing now, in the shape of a Kubernetes container status: waiting
 * (with a reason such as CrashLoopBackOff or RunContainerError), running since a time, or
 * terminated for good (per the restart policy); how often it was restarted; and how its previous
 * run ended. Times have second precision, as the API shows them, so that the same state always
 * reads the same and writing it again changes nothing.
 */
public record ProgramStatus(String container, State state, String reason, String message, Instant startedAt,
    Termination terminated, Termination lastTerminated, int restartCount) {

  public enum State { WAITING, RUNNING, TERMINATED }

  /** How one run ended: exit code, reason (Completed, Error, StartError), message, times. */
  public record Termination(int exitCode, String reason, String message, Instant startedAt, Instant finishedAt) {}

  public boolean running() {
    return state == State.RUNNING;
  }
}
