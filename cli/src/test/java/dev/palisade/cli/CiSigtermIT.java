package dev.palisade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.kernel.netns.NetNs;
import dev.palisade.lab.net.LabNetwork;
import dev.palisade.testkit.KernelTest;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cancelled CI job: `palisade ci run`, a real process, gets SIGTERM while its --exec command
 * runs inside a pod; it must tear its lab down (every pal-ID- namespace, the command inside one)
 * before it exits, and exit non-zero.
 */
@KernelTest
class CiSigtermIT {
  private static final Path APP = Path.of("../examples/ci-shop");
  /** A command no one else runs, to find it in /proc if it outlives the lab. */
  private static final List<String> COMMAND = List.of("sleep", "4817");

  @TempDir Path dir;

  @Test
  void sigtermMidRunTearsTheLabDownAndExitsNonZero() throws Exception {
    String id = "gitops18" + ProcessHandle.current().pid() % 10000;
    String prefix = NetNs.PREFIX + id + "-";
    Process p = null;
    StringBuilder out = new StringBuilder();
    try {
      List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
          .toString(), "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
          Main.class.getName(), "ci", "run", "--lab-id", id, "--manifests", APP.resolve("manifests").toString(),
          "--baseline", APP.resolve("approved").toString(), "--report-dir", dir.resolve("r").toString(),
          "--exec", "workload/ci-shop/Deployment/web", "--"));
      cmd.addAll(COMMAND);
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      Process proc = p;
      CompletableFuture<Boolean> execRunning = CompletableFuture.supplyAsync(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
          boolean seen = false;
          for (String line; (line = r.readLine()) != null; ) {
            synchronized (out) {
              out.append(line).append('\n');
            }
            if (!seen && line.startsWith("palisade ci: running --exec ")) {
              seen = true;
              synchronized (out) {
                out.notifyAll();
              }
            }
          }
          return seen;
        } catch (java.io.IOException e) {
          return false;
        }
      });
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
      synchronized (out) {
        while (!out.toString().contains("palisade ci: running --exec ") && p.isAlive() && System.nanoTime() < deadline) {
          out.wait(1000);
        }
      }
      assertTrue(out.toString().contains("palisade ci: running --exec "), "the run reached its --exec command:\n" + out);
      long started = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (!inside(COMMAND) && System.nanoTime() < started) {
        Thread.sleep(100); // the line is printed just before the command starts
      }
      assertTrue(inside(COMMAND), "the command runs in the pod before the signal");
      assertTrue(!NetNs.list(prefix).isEmpty(), "the lab is up before the signal");

      // SIGTERM, as a CI runner cancelling the job sends; through the handle, as Process.destroy also
      // closes our end of its stdout and the lines it prints while it tears down would be lost
      assertTrue(p.toHandle().destroy(), "SIGTERM sent");
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "ci run exits within 2 minutes of SIGTERM:\n" + out);
      execRunning.get(10, TimeUnit.SECONDS);
      assertNotEquals(0, p.exitValue(), out.toString());
      assertTrue(out.toString().contains("tearing lab " + id + " down"), "exit " + p.exitValue() + ", namespaces "
          + NetNs.list(prefix) + ":\n" + out);
      assertEquals(List.of(), NetNs.list(prefix), "no namespace of the lab is left:\n" + out);
      assertTrue(!inside(COMMAND), "the --exec command did not outlive the lab");
    } finally {
      if (p != null && p.isAlive()) {
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
      LabNetwork.reap(id); // our own lab id only, whatever the assertions said
    }
  }

  /** Whether a process runs exactly this command line. */
  private static boolean inside(List<String> command) throws Exception {
    String want = String.join("\0", command);
    try (var procs = Files.list(Path.of("/proc"))) {
      return procs.filter(d -> d.getFileName().toString().chars().allMatch(Character::isDigit)).anyMatch(d -> {
        try {
          String cmdline = new String(Files.readAllBytes(d.resolve("cmdline")), StandardCharsets.UTF_8);
          return cmdline.equals(want) || cmdline.equals(want + "\0");
        } catch (java.io.IOException | RuntimeException gone) {
          return false;
        }
      });
    }
  }
}
