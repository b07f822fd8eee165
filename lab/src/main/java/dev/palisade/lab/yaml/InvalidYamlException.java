package dev.palisade.lab.yaml;

/** Text that {@link YamlReader} cannot read; the message says where (line, column) and why. */
public final class InvalidYamlException extends RuntimeException {
  public InvalidYamlException(String message) {
    super(message);
  }

  public InvalidYamlException(String message, Throwable cause) {
    super(message, cause);
  }
}
