package dev.palisade.lab.ci;

/**
 * Bad input to {@code palisade ci} (exit 3): the message names the file and, where there is one,
 * the field, so a developer can fix the right line without reading a stack trace.
 */
public final class CiInputException extends RuntimeException {
  public CiInputException(String message) {
    super(message);
  }

  public static CiInputException at(String file, String field, String problem) {
    return new CiInputException(file + ": " + field + ": " + problem);
  }
}
