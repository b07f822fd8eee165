package dev.palisade.kernel.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.kernel.nft.NftEvent.Change;
import dev.palisade.kernel.nft.NftEvent.Generation;
import dev.palisade.kernel.nft.NftEvent.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Parsing and batching over datagrams captured on x86_64 (netlink headers in host order, so
 * little-endian) from kernel 6.18 (nft 1.0.6 run four times in a
 * fresh namespace, one datagram per line of nft/monitor-capture.hex):
 * <pre>
 *   pid 21730: add table inet palisade; add chain inet palisade c; add rule inet palisade c accept;
 *              add rule inet palisade c drop; add set inet palisade s { type ipv4_addr; };
 *              add element inet palisade s { 10.0.0.1, 10.0.0.2 }; add table ip other
 *   pid 21731: delete element inet palisade s { 10.0.0.1 }
 *   pid 21732: flush chain inet palisade c
 *   pid 21733: delete table inet palisade
 * </pre>
 */
class NftEventParserTest {

  static List<byte[]> capture() throws IOException {
    try (InputStream in = NftEventParserTest.class.getResourceAsStream("/nft/monitor-capture.hex")) {
      List<byte[]> datagrams = new ArrayList<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
        if (!line.isBlank()) {
          datagrams.add(HexFormat.of().parseHex(line.strip()));
        }
      }
      return datagrams;
    }
  }

  private static List<NftEvent> all() throws IOException {
    List<NftEvent> events = new ArrayList<>();
    for (byte[] d : capture()) {
      events.addAll(NftEventParser.parse(d, d.length));
    }
    return events;
  }

  @Test
  void readsEveryChangeAndGenerationOfTheCapture() throws IOException {
    List<NftEvent> events = all();
    assertEquals(List.of(
        new Change("inet", "palisade", Kind.TABLE, true, "palisade", 1),
        new Change("inet", "palisade", Kind.CHAIN, true, "c", 1),
        new Change("inet", "palisade", Kind.RULE, true, "c", 1),
        new Change("inet", "palisade", Kind.RULE, true, "c", 1),
        new Change("inet", "palisade", Kind.SET, true, "s", 1),
        new Change("inet", "palisade", Kind.ELEMENT, true, "s", 1),
        new Change("inet", "palisade", Kind.ELEMENT, true, "s", 1),
        new Change("ip", "other", Kind.TABLE, true, "other", 1),
        new Generation(2, 21730, "nft"),
        new Change("inet", "palisade", Kind.ELEMENT, false, "s", 1),
        new Generation(3, 21731, "nft"),
        new Change("inet", "palisade", Kind.RULE, false, "c", 1),
        new Change("inet", "palisade", Kind.RULE, false, "c", 1),
        new Generation(4, 21732, "nft"),
        new Change("inet", "palisade", Kind.SET, false, "s", 1),
        new Change("inet", "palisade", Kind.CHAIN, false, "c", 1),
        new Change("inet", "palisade", Kind.TABLE, false, "palisade", 1),
        new Generation(5, 21733, "nft")), events);
  }

  @Test
  void groupsEachBatchOfTheWatchedTableIntoOneChange() throws IOException {
    assertEquals(List.of(
        new TableChange("inet", "palisade", List.of("add table inet palisade", "add chain c", "add 2 rules in chain c",
            "add set s", "add 2 elements to set s"), 2, 21730, "nft"),
        new TableChange("inet", "palisade", List.of("delete element from set s"), 3, 21731, "nft"),
        new TableChange("inet", "palisade", List.of("delete 2 rules in chain c"), 4, 21732, "nft"),
        new TableChange("inet", "palisade", List.of("delete set s", "delete chain c", "delete table inet palisade"), 5,
            21733, "nft")), collect(new NftChangeCollector("inet", "palisade", 0)));
  }

  @Test
  void theWatchersOwnCommitsAndOtherTablesAreLeftOut() throws IOException {
    assertEquals(List.of(3L, 4L, 5L), collect(new NftChangeCollector("inet", "palisade", 21730)).stream()
        .map(TableChange::generation).toList(), "batch 2 came from the watcher's own thread");
    assertEquals(List.of(new TableChange("ip", "other", List.of("add table ip other"), 2, 21730, "nft")),
        collect(new NftChangeCollector("ip", "other", 0)));
    assertEquals(List.of(), collect(new NftChangeCollector("ip", "palisade", 0)), "same name, other family");
  }

  @Test
  void aLossDropsTheBatchInProgressAndSaysSo() throws IOException {
    NftChangeCollector c = new NftChangeCollector("inet", "palisade", 0);
    List<NftEvent> events = all();
    events.subList(0, 3).forEach(c::accept); // add table, chain, one rule: then the socket overran
    TableChange lost = c.lost();
    assertTrue(lost.lost());
    assertEquals(List.of("events lost"), lost.what());
    assertEquals(new Generation(2, 21730, "nft"), events.get(8));
    assertTrue(c.accept(events.get(8)).isEmpty(), "nothing left of the lost batch to report");
  }

  @Test
  void aCutDatagramIsAnErrorNamingWhere() throws IOException {
    byte[] first = capture().get(0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NftEventParser.parse(first, 40));
    assertTrue(e.getMessage().contains("claims 64 bytes, 40 left"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> NftEventParser.parse(first, first.length + 1));
  }

  @Test
  void otherSubsystemsAndShortTailsAreSkipped() {
    byte[] conntrack = new byte[20];
    conntrack[0] = 20; // nlmsg_len 20 (little-endian host), type 0x0100: ctnetlink NEW
    conntrack[5] = 1;
    assertEquals(List.of(), NftEventParser.parse(conntrack, 20));
    assertEquals(List.of(), NftEventParser.parse(new byte[8], 8), "less than a header is nothing");
  }

  private static List<TableChange> collect(NftChangeCollector c) throws IOException {
    List<TableChange> out = new ArrayList<>();
    for (NftEvent e : all()) {
      c.accept(e).ifPresent(out::add);
    }
    return out;
  }
}
