package dev.palisade.dataplane.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.kernel.netns.NetNs;
import dev.palisade.kernel.nft.LibNftables;
import dev.palisade.kernel.nft.Nftables;
import dev.palisade.testkit.KernelTest;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The adoption contract on the kernel (its JSON read-back rewrites elements), plus 100k elements. */
@KernelTest
class RulesetAdoptionIT extends RulesetAdoptionContract {
  // PAL_NS_TAG (e.g. the branch) tells apart namespaces of test runs sharing one machine
  private static final String NS = "pal-adopt-it-" + System.getenv().getOrDefault("PAL_NS_TAG", "t") + "-"
      + ProcessHandle.current().pid();
  private NetNs ns;
  private LibNftables nft;

  @BeforeEach
  void open() {
    NetNs.delete(NS);
    ns = NetNs.create(NS);
    nft = LibNftables.open(ns);
  }

  @AfterEach
  void close() {
    try {
      if (nft != null) {
        nft.close();
      }
      if (ns != null) {
        ns.close();
      }
    } finally {
      NetNs.delete(NS);
    }
  }

  @Override
  Nftables nft() {
    return nft;
  }

  /**
   * 100,000 elements, 1% replaced, default commit bound: 1,000 adds and 1,000 deletes. The longest
   * commit is printed, not asserted (timing depends on the machine; bench/RESULTS.md has it).
   */
  @Test
  void aRestartOver100kElementsWithOnePercentChanged() {
    int max = RulesetApplier.DEFAULT_MAX_ELEMENTS_PER_COMMIT;
    long t0 = System.nanoTime();
    RulesetApplier a = restartWithOnePercentChanged(100_000, max);
    long took = System.nanoTime() - t0;
    List<RecordingNftables.Commit> commits = recording.commits();
    long longest = commits.stream().mapToLong(RecordingNftables.Commit::nanos).max().orElse(0);
    System.out.printf(Locale.ROOT, "adoption of 100,000 elements with 1%% changed: %d commit(s), element operations %s,"
        + " longest commit %.1f ms (seed, adopt and verify %.0f ms)%n", commits.size(),
        commits.stream().map(RecordingNftables.Commit::elementOps).toList(), longest / 1e6, took / 1e6);
    assertEquals(1, commits.size(), "2,000 element operations fit in one commit of " + max);
    assertEquals(2_000, commits.get(0).elementOps());
    assertEquals(1, a.commits());
    // and nothing changed: nothing written
    RulesetApplier again = new RulesetApplier(nft).maxElementsPerCommit(max);
    again.apply(big(100_000, 1_000));
    assertEquals(0, again.commits());
  }
}
