package dev.palisade.lab.deploy;

import java.nio.file.Path;

/** A kustomization or manifest that cannot be rendered; the message always names the file at fault. */
public final class KustomizeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public KustomizeException(Path file, String message) {
    super(file + ": " + message);
  }

  public KustomizeException(Path file, String message, Throwable cause) {
    super(file + ": " + message, cause);
  }
}
