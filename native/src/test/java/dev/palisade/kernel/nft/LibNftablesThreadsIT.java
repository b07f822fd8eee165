package dev.palisade.kernel.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.palisade.kernel.netns.NetNs;
import dev.palisade.kernel.nft.NftObject.NftSet;
import dev.palisade.kernel.nft.NftObject.Table;
import dev.palisade.testkit.KernelTest;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two libnftables contexts in one process, as the lab's agents (one per node, one JVM) have.
 * libnftables turns protocol names into numbers and back with glibc's getprotobyname and
 * getprotobynumber, whose result is one static record per process that a lookup overwrites
 * line by line while it scans /etc/protocols (ip 0, icmp 1, igmp 2, ggp 3, ... tcp 6). A
 * context that printed or parsed a protocol while another context's lookup was scanning read
 * "ip", "igmp" or "ggp" for tcp: the agents' verification saw surplus elements such as
 * {@code 10.128.31.73 . ip . 9090} (issue 16) in a table that held only tcp.
 */
@KernelTest
class LibNftablesThreadsIT {
  private static final String PREFIX = System.getProperty("palisade.it.netns", "pal-t-nftthreads");
  private static final String TABLE = "paltest";
  private static final String SET = "exact";
  private static final int ELEMENTS = 2_000;
  private static final int READS = 60;
  private static NetNs readerNs;
  private static NetNs writerNs;
  private static LibNftables reader;
  private static LibNftables writer;

  @BeforeAll
  static void open() {
    NetNs.delete(PREFIX + "-r");
    NetNs.delete(PREFIX + "-w");
    readerNs = NetNs.create(PREFIX + "-r");
    writerNs = NetNs.create(PREFIX + "-w");
    reader = LibNftables.open(readerNs);
    writer = LibNftables.open(writerNs);
  }

  @AfterAll
  static void close() {
    for (AutoCloseable c : new AutoCloseable[] {reader, writer, readerNs, writerNs}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception ignored) {
        // the namespaces are deleted below either way
      }
    }
    NetNs.delete(PREFIX + "-r");
    NetNs.delete(PREFIX + "-w");
  }

  private static Transaction declare() {
    return new Transaction("inet", TABLE).add(Table.of())
        .add(NftSet.of(SET, "ipv4_addr . inet_proto . inet_service"));
  }

  private static List<String> tcp(int third, int count) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add("10.128." + (third + i / 250) + "." + (1 + i % 250) + " . tcp . " + (i % 2 == 0 ? 8080 : 9090));
    }
    return out;
  }

  /** The set's elements as the nft command (a process of its own, so no race) lists them. */
  private static SortedSet<String> listedByCli(NetNs ns) {
    String out = ns.exec("nft", "-j", "list", "set", "inet", TABLE, SET);
    return NftJson.parseTable(out, "inet", TABLE).set(SET).orElseThrow().elements();
  }

  /**
   * What one agent does: reads its table back (as the periodic verification does) and moves
   * elements, {@link #READS} times; returns the listed elements that were never written.
   */
  private static List<String> verifyAndChurn(LibNftables nft, SortedSet<String> want) {
    List<String> wrong = new ArrayList<>();
    for (int i = 0; i < READS && wrong.size() < 5; i++) {
      for (String e : nft.table("inet", TABLE).orElseThrow().set(SET).orElseThrow().elements()) {
        if (!want.contains(e) && wrong.size() < 5) {
          wrong.add(nft + " read " + i + ": " + e);
        }
      }
      List<String> moved = tcp(100 + i % 50, 100);
      nft.run(new Transaction("inet", TABLE).addElements(SET, moved));
      nft.run(new Transaction("inet", TABLE).deleteElements(SET, moved));
    }
    return wrong;
  }

  @Test
  void contextsInOneProcessReadAndWriteProtocolsRightWhileBothWork() throws Exception {
    SortedSet<String> want = new TreeSet<>(tcp(0, ELEMENTS));
    reader.run(declare().addElements(SET, want));
    writer.run(declare().addElements(SET, want));
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      Future<List<String>> theirs = other.submit(() -> verifyAndChurn(writer, want));
      List<String> wrong = new ArrayList<>(verifyAndChurn(reader, want));
      wrong.addAll(theirs.get());
      assertEquals(List.of(), wrong, "listed elements that were never written (the sets hold tcp only)");
      assertEquals(want, listedByCli(readerNs), "what the kernel holds in one namespace");
      assertEquals(want, listedByCli(writerNs), "what the kernel holds in the other");
    } finally {
      other.shutdownNow();
    }
  }
}
