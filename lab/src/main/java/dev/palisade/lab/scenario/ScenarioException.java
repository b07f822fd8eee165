package dev.palisade.lab.scenario;

/** A scenario file that does not follow the format; the message names the file and the field. */
public final class ScenarioException extends RuntimeException {
  public ScenarioException(String message) {
    super(message);
  }

  public ScenarioException(String message, Throwable cause) {
    super(message, cause);
  }
}
