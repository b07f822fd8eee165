package dev.palisade.lab.ci;

/** What {@code palisade ci} says about one edge; the order is the report's (worst first). */
public enum Verdict {
  /** The manifests' own NetworkPolicy dropped the app's call: the change is broken as it stands. */
  DROPPED(2),
  /** The baseline rejects this edge. */
  FORBIDDEN(2),
  /** Not in the baseline: someone must approve it before enforce mode lets it through. */
  NEW(1),
  /** In the baseline and made by the traffic. */
  APPROVED(0),
  /** In the baseline but the traffic never made it: a warning (stale approval or thin tests). */
  NOT_EXERCISED(0);

  private final int exitCode;

  Verdict(int exitCode) {
    this.exitCode = exitCode;
  }

  /** The exit code this verdict asks for (0 pass, 1 new edges, 2 forbidden or dropped). */
  public int exitCode() {
    return exitCode;
  }

  public boolean fails() {
    return exitCode > 0;
  }

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
