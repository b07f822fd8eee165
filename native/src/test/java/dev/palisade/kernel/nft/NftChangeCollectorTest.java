package dev.palisade.kernel.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.kernel.nft.NftEvent.Change;
import dev.palisade.kernel.nft.NftEvent.Generation;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Batches from events, and losses the socket did not report, told by the generation ids. */
class NftChangeCollectorTest {
  private final NftChangeCollector collector = new NftChangeCollector("inet", "palisade", 0);

  private Optional<TableChange> batch(long generation) {
    collector.accept(new Change("inet", "palisade", NftEvent.Kind.ELEMENT, false, "pods", 1));
    return collector.accept(new Generation(generation, 7, "nft"));
  }

  @Test
  void consecutiveGenerationsAreBatches() {
    assertEquals(List.of("delete element from set pods"), batch(41).orElseThrow().what());
    assertEquals(List.of("delete element from set pods"), batch(42).orElseThrow().what());
    assertTrue(collector.accept(new Generation(43, 7, "nft")).isEmpty(), "another table's commit: nothing to report");
    assertEquals(41 + 3, batch(44).orElseThrow().generation());
  }

  @Test
  void aGapInGenerationsIsALoss() {
    batch(41);
    TableChange c = batch(45).orElseThrow();
    assertTrue(c.lost(), "generations 42..44 never arrived: " + c);
    assertEquals(List.of("delete element from set pods"), batch(46).orElseThrow().what(), "then batches again");
  }

  @Test
  void aGapInAnotherTablesCommitIsALossToo() {
    batch(41);
    assertTrue(collector.accept(new Generation(43, 7, "nft")).orElseThrow().lost());
  }

  @Test
  void afterAReportedLossTheNextGenerationStartsAfresh() {
    batch(41);
    collector.lost();
    assertEquals(List.of("delete element from set pods"), batch(50).orElseThrow().what());
  }

  @Test
  void theCounterWrapsAndSkipsZero() {
    assertEquals(1, NftChangeCollector.next(0xFFFF_FFFFL));
    batch(0xFFFF_FFFFL);
    assertTrue(!batch(1).orElseThrow().lost());
  }
}
