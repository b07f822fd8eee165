package dev.palisade.model;

import java.util.Locale;

/**
 * What Palisade does with a workload's traffic: learn (allow and record), monitor (allow, and
 * flag what enforce would drop), enforce (drop what the allow-list does not allow, and alert).
 */
public enum Mode {
  LEARN, MONITOR, ENFORCE;

  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Mode parse(String text) {
    if (text != null) {
      for (Mode m : values()) {
        if (m.text().equals(text.strip().toLowerCase(Locale.ROOT))) {
          return m;
        }
      }
    }
    throw new IllegalArgumentException("mode must be learn, monitor or enforce, not '" + text + "'");
  }
}
