package dev.palisade.dataplane.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.palisade.dataplane.render.DesiredRuleset;
import dev.palisade.dataplane.render.DesiredRuleset.NamedSet;
import dev.palisade.kernel.netns.NetNs;
import dev.palisade.kernel.nft.LibNftables;
import dev.palisade.testkit.KernelTest;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 16: two agents in one process (the lab's) verified their tables at the same moment and
 * each reported surplus elements that nobody wrote ({@code 10.128.31.73 . ip . 9090}): their
 * libnftables contexts shared glibc's protocol lookup record. Verification must find nothing when
 * the kernel holds exactly what was applied, whatever other contexts in the process do.
 */
@KernelTest
class ConcurrentVerifyIT {
  private static final String NS = "pal-t-verify-" + System.getenv().getOrDefault("PAL_NS_TAG", "t") + "-"
      + ProcessHandle.current().pid();
  private static final int VERIFICATIONS = 40;
  private final List<AutoCloseable> open = new ArrayList<>();
  private LibNftables[] nft;

  @BeforeEach
  void open() {
    nft = new LibNftables[2];
    for (int i = 0; i < 2; i++) {
      NetNs.delete(NS + i);
      NetNs ns = NetNs.create(NS + i);
      open.add(ns);
      nft[i] = LibNftables.open(ns);
      open.add(0, nft[i]);
    }
  }

  @AfterEach
  void close() {
    for (AutoCloseable c : open) {
      try {
        c.close();
      } catch (Exception ignored) {
        // the namespaces are deleted below either way
      }
    }
    NetNs.delete(NS + 0);
    NetNs.delete(NS + 1);
  }

  /** As the renderer declares a check's exact set: a hash set of address . protocol . port. */
  private static DesiredRuleset ruleset() {
    TreeSet<String> exact = new TreeSet<>();
    for (int i = 0; i < 2_000; i++) {
      exact.add("10.128." + (i / 250) + "." + (1 + i % 250) + " . tcp . " + (i % 2 == 0 ? 8080 : 9090));
    }
    TreeMap<String, NamedSet> sets = new TreeMap<>();
    sets.put("np_in_257_exact", new NamedSet("np_in_257_exact", false, "ipv4_addr . inet_proto . inet_service",
        false, exact));
    return new DesiredRuleset("inet", "palisade", new TreeMap<>(), sets);
  }

  @Test
  void twoAgentsVerifyingAtOnceFindNothingChanged() throws Exception {
    DesiredRuleset want = ruleset();
    RulesetApplier[] agents = {new RulesetApplier(nft[0]), new RulesetApplier(nft[1])};
    agents[0].apply(want);
    agents[1].apply(want);
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      Future<List<String>> theirs = other.submit(() -> verifications(agents[1], want));
      List<String> found = new ArrayList<>(verifications(agents[0], want));
      found.addAll(theirs.get());
      assertEquals(List.of(), found, "differences reported for tables that hold exactly what was applied");
    } finally {
      other.shutdownNow();
    }
  }

  private static List<String> verifications(RulesetApplier agent, DesiredRuleset want) {
    List<String> found = new ArrayList<>();
    for (int i = 0; i < VERIFICATIONS && found.isEmpty(); i++) {
      found.addAll(agent.verify(want));
    }
    return found;
  }
}
