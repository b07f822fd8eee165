package dev.palisade.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One line naming the machine a result was measured on, for bench/RESULTS.md. */
final class Machine {
  private Machine() {}

  static String describe() {
    try {
      String mem = Files.readString(Path.of("/proc/meminfo")).lines().findFirst().orElse("").replaceAll("\\s+", " ");
      String load = Files.readString(Path.of("/proc/loadavg")).strip();
      return "Machine: " + Runtime.getRuntime().availableProcessors() + " CPUs, " + mem + ", kernel "
          + Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip() + ", java "
          + System.getProperty("java.version") + "; load average at the end: " + load + ".";
    } catch (IOException e) {
      return "Machine: unknown (" + e.getMessage() + ")";
    }
  }
}
