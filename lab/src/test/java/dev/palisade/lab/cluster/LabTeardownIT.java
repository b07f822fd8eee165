package dev.palisade.lab.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.kernel.netns.NetNs;
import dev.palisade.lab.scenario.ScenarioRunner;
import dev.palisade.lab.scenario.ScenarioRunner.Result;
import dev.palisade.testkit.KernelTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In-process labs torn down one after the other in one JVM (as {@code palisade scenario run} with
 * many files, or the netpol corpus, does) give back what they took: after several labs the JVM
 * holds as many descriptors and threads as after the first. Before, every lab left its pods'
 * listening sockets open for good (the echo server closed its selector, not its channels; each
 * socket kept its deleted namespace), and, for two minutes, its agents with their HTTP client's
 * selector thread, epoll and eventfd (fabric8's fail-safe timer after each declined WebSocket
 * watch held the informers' handlers; see {@code LabApiServer#client}). ~60 labs crossed 1,024
 * descriptors, where libnftables' select() aborts the JVM.
 */
@KernelTest
class LabTeardownIT {
  /** Labs after the first; each used to leave at least 4 descriptors (one per pod's TCP port) and a thread. */
  private static final int LABS = 5;
  /**
   * Descriptors that may be open at one count and not the other for reasons of the JVM's, not a
   * lab's: a jar or native library opened by a class first loaded late, a pipe of a child process
   * the JDK is still reaping. A lab's leak is at least 4 per lab, 20 in all.
   */
  private static final int FD_SLACK = 4;
  /**
   * Threads likewise (one more thread of a JVM-wide pool that grew while the labs ran); pools that
   * start and stop on their own whatever the labs do are not counted at all (see {@link #counted}).
   */
  private static final int THREAD_SLACK = 2;
  /**
   * How long the counts may take to come back: the JDK 17 HttpClient has no close(), its selector
   * thread (with its epoll and eventfd) ends only after the client is collected, seen by the thread
   * within 3 s. A bound for the wait, not an assertion on how fast teardown is.
   */
  private static final Duration SETTLE = Duration.ofSeconds(30);

  @TempDir Path tmp;

  @AfterAll
  static void nothingLeftBehind() {
    String prefix = NetNs.PREFIX + "s" + (ProcessHandle.current().pid() % 100000) + "x";
    assertEquals(List.of(), NetNs.list(prefix), "every lab removed its namespaces");
  }

  @Test
  void labsTornDownOneAfterTheOtherLeaveNoDescriptorsOrThreads() throws Exception {
    // two nodes (two agents), four pods serving TCP 80 and UDP 53, probes across nodes
    String text = new String(getClass().getResourceAsStream("/scenarios/all-allowed.yaml").readAllBytes(),
        StandardCharsets.UTF_8);
    Path scenario = tmp.resolve("all-allowed-2.yaml");
    Files.writeString(scenario, text.replace("NODES", "2"));
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    ScenarioRunner runner = new ScenarioRunner(LabScenarioTarget::new,
        new PrintStream(printed, true, StandardCharsets.UTF_8));
    try {
      // the first lab loads the classes and starts what lives as long as the JVM (the runner's
      // probe pool, fabric8's and Prometheus' schedulers, JNR's libraries): the baseline is after it.
      // It may still count the first lab's HTTP client, not yet collected: that only makes the
      // check more lenient by its 2 descriptors and 1 thread.
      run(runner, scenario, printed);
      Snapshot before = Snapshot.settled();
      for (int i = 0; i < LABS; i++) {
        run(runner, scenario, printed);
      }
      Snapshot after = awaitBackTo(before);
      System.out.printf("after %d labs: descriptors %d -> %d, threads %d -> %d%n", LABS, before.fdCount(),
          after.fdCount(), before.threadCount(), after.threadCount());
      assertTrue(after.fdCount() <= before.fdCount() + FD_SLACK && after.threadCount() <= before.threadCount() + THREAD_SLACK,
          LABS + " labs torn down should leave no descriptors or threads behind; after them, compared with before:\n"
              + "descriptors " + before.fdCount() + " -> " + after.fdCount() + ": " + delta(before.fds(), after.fds())
              + "\nthreads " + before.threadCount() + " -> " + after.threadCount() + ": "
              + delta(before.threads(), after.threads()));
    } finally {
      runner.shutdown();
    }
  }

  private static void run(ScenarioRunner runner, Path scenario, ByteArrayOutputStream printed) {
    List<Result> results = runner.runFiles(List.of(scenario));
    assertTrue(results.get(0).passed(), printed.toString(StandardCharsets.UTF_8));
  }

  /** Collects garbage and counts again until the counts are back within the slack, or SETTLE ends. */
  private static Snapshot awaitBackTo(Snapshot before) throws InterruptedException {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    while (true) {
      Snapshot now = Snapshot.settled();
      if ((now.fdCount() <= before.fdCount() + FD_SLACK && now.threadCount() <= before.threadCount() + THREAD_SLACK)
          || System.nanoTime() > deadline) {
        return now;
      }
      Thread.sleep(1000);
    }
  }

  /**
   * Threads of pools the JVM or a library starts on demand and ends when idle, whichever lab
   * used them last: the JDK's process reaper and common pool, fabric8's shared scheduler.
   */
  static boolean counted(Thread t) {
    String n = t.getName();
    return !(n.startsWith("process reaper") || n.startsWith("ForkJoinPool.commonPool")
        || n.startsWith("CachedSingleThreadScheduler") || n.equals("Attach Listener"));
  }

  /** Open descriptors by what they are (socket, anon_inode:[eventpoll], a path) and counted threads by name. */
  record Snapshot(Map<String, Long> fds, Map<String, Long> threads) {
    static Snapshot settled() throws InterruptedException {
      System.gc();
      Thread.sleep(500); // reference processing, and Cleaners closing what was collected
      System.gc();
      return new Snapshot(openFds(), liveThreads());
    }

    long fdCount() {
      return fds.values().stream().mapToLong(Long::longValue).sum();
    }

    long threadCount() {
      return threads.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private static Map<String, Long> openFds() {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return s.map(LabTeardownIT::target).collect(Collectors.groupingBy(Function.identity(), TreeMap::new,
          Collectors.counting()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String target(Path fd) {
    try {
      return Files.readSymbolicLink(fd).toString().replaceAll("\\[\\d+]", "[]"); // socket:[123] -> socket:[]
    } catch (IOException e) {
      return "(closed meanwhile)"; // the listing's own descriptor
    }
  }

  private static Map<String, Long> liveThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(LabTeardownIT::counted)
        .collect(Collectors.groupingBy(t -> t.getName().replaceAll("\\d+", "N"), TreeMap::new, Collectors.counting()));
  }

  private static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> d = new TreeMap<>();
    after.forEach((k, v) -> d.merge(k, v, Long::sum));
    before.forEach((k, v) -> d.merge(k, -v, Long::sum));
    d.values().removeIf(v -> v == 0);
    return d;
  }
}
