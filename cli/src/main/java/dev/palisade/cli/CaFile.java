package dev.palisade.cli;

import java.nio.file.Path;

/** {@code $PALISADE_CA}: the controller's CA when no {@code --ca} is given (the lab and demo print it). */
final class CaFile {
  private CaFile() {
  }

  /** The file $PALISADE_CA names, or null when it is unset or empty. */
  static Path fromEnvironment() {
    String v = System.getenv("PALISADE_CA");
    return v == null || v.isBlank() ? null : Path.of(v);
  }
}
