package dev.palisade.cli;

import dev.palisade.kernel.Doctor;
import dev.palisade.kernel.Doctor.Check;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** `palisade doctor`: checks the kernel features and libraries Palisade needs and prints what it found. */
@Command(name = "doctor", description = "Check kernel features and libraries, print what was found.")
final class DoctorCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    List<Check> checks = Doctor.runAll();
    int failed = 0;
    for (Check c : checks) {
      System.out.printf("%-4s %-28s %s%n", c.ok() ? "ok" : "FAIL", c.name(), c.detail());
      if (!c.ok()) failed++;
    }
    System.out.println(failed == 0 ? "palisade doctor: all " + checks.size() + " checks passed"
        : "palisade doctor: " + failed + " of " + checks.size() + " checks failed");
    return failed == 0 ? 0 : 1;
  }
}
