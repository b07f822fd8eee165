package dev.palisade.cli;

import java.io.PrintStream;

/** A one-line progress bar, redrawn in place: {@code [#####-----] 120/200 pods running}. */
final class Progress {
  private static final int WIDTH = 30;
  private final PrintStream out;
  private boolean shown;

  Progress(PrintStream out) {
    this.out = out;
  }

  void show(long done, long total) {
    long t = Math.max(total, done);
    int filled = t == 0 ? 0 : (int) (WIDTH * done / t);
    out.print("\r[" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "] " + done + "/" + t + " pods running");
    out.flush();
    shown = true;
  }

  void done() {
    if (shown) {
      out.println();
      shown = false;
    }
  }
}
