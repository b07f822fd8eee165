package dev.palisade.dataplane.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dataplane.apply.RulesetApplier;
import dev.palisade.dataplane.render.DesiredRuleset.Chain;
import dev.palisade.dataplane.render.DesiredRuleset.NamedSet;
import dev.palisade.kernel.netns.NetNs;
import dev.palisade.kernel.nft.LibNftables;
import dev.palisade.kernel.nft.NetlinkTableReader;
import dev.palisade.kernel.nft.TableState;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The netlink reader ({@link NetlinkTableReader}) against nft's JSON listing ({@link
 * LibNftables#listTable}) on the real kernel: each ruleset is written by the applier (so chains
 * carry their digest comments, as in the agent), then read by both; the two table states must be
 * equal. The rulesets are the renderer's golden ones, plus a generated table that holds every
 * element shape the renderer writes many times over (prefixes, single addresses and ranges in a
 * 20k-element concatenated interval set, ranges up to 255.255.255.255 and from 0.0.0.0 in a
 * one-part interval set, IPv6 addresses of every textual form, verdicts, elements with timeouts).
 */
@dev.palisade.testkit.KernelTest
class NetlinkReaderContractIT {
  /** {@code -Dpalisade.it.netns=pal-me} names it {@code pal-me-<pid>}, beside other builders. */
  private static final String NS =
      System.getProperty("palisade.it.netns", "pal-nlread") + "-" + ProcessHandle.current().pid();
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

  static Stream<Arguments> rulesets() {
    return Stream.of(Arguments.of("three-groups", RulesetRenderer.render(RulesetRendererTest.NODE)),
        Arguments.of("cluster-tiers", RulesetRenderer.render(ClusterTiersRenderTest.NODE)),
        Arguments.of("generated-20k", generated(20_000)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rulesets")
  void bothReadersSeeTheSameTable(String name, DesiredRuleset ruleset) {
    new RulesetApplier(nft).apply(ruleset);
    // the DNS hold's elements: written with a timeout, listed without it
    ns.exec("nft", "add element inet palisade fqdn4 { 10.244.0.10 . 1.2.3.4 . tcp . 443 timeout 1h, "
        + "10.244.0.10 . 1.2.3.5 . udp . 53 timeout 30s }");
    TableState json = nft.listTable(RulesetRenderer.FAMILY, RulesetRenderer.TABLE).orElseThrow();
    TableState netlink = netlink().orElseThrow();
    assertEquals(json, netlink, name);
    long elements = netlink.sets().values().stream().mapToLong(s -> s.elements().size()).sum();
    assertTrue(elements >= ruleset.sets().values().stream().mapToLong(s -> s.elements().size()).sum(),
        name + ": every written element is read (" + elements + ")");
    assertTrue(netlink.chains().values().stream().anyMatch(c -> c.rules().stream()
        .anyMatch(r -> r.comment().isPresent())), name + ": the chains' digest comments are read");
  }

  @Test
  void aMissingTableIsEmptyForBoth() {
    assertEquals(Optional.empty(), nft.listTable("inet", "palisade"));
    assertEquals(Optional.empty(), netlink());
  }

  @Test
  void aSetTypeTheReaderDoesNotKnowFailsTheRead() {
    new RulesetApplier(nft).apply(RulesetRenderer.render(RulesetRendererTest.NODE));
    ns.exec("nft", "add set inet palisade macs { type ether_addr; elements = { 02:00:00:00:00:01 } }");
    IllegalStateException e = assertThrows(IllegalStateException.class, this::netlink);
    assertTrue(e.getMessage().contains("macs"), e.getMessage());
  }

  private Optional<TableState> netlink() {
    return ns.call(() -> NetlinkTableReader.read(RulesetRenderer.FAMILY, RulesetRenderer.TABLE));
  }

  /**
   * A table with {@code n} elements in one concatenated interval set: each in its own /24 of
   * 10.0.0.0/8, in turn a prefix, a single address, a range (ports single, aligned, unaligned, all).
   */
  static DesiredRuleset generated(int n) {
    TreeSet<String> ranged = new TreeSet<>();
    String[] ports = {"80", "1024-2047", "9090-9091", "0-65535"};
    String[] protos = {"tcp", "udp", "sctp"};
    for (int i = 0; i < n; i++) {
      String block = "10." + (i / 256) + "." + (i % 256) + ".";
      String addr = switch (i % 4) {
        case 0 -> block + "0/24";
        case 1 -> block + "7";
        case 2 -> block + "10-" + block + "200";
        default -> block + "128/25";
      };
      ranged.add(addr + " . " + protos[i % 3] + " . " + ports[(i / 4) % 4]);
    }
    TreeSet<String> any = new TreeSet<>(List.of("0.0.0.0/8", "10.0.0.1", "10.0.0.5-10.0.0.9", "10.0.1.0/24",
        "172.16.0.0-172.16.1.7", "255.255.255.0-255.255.255.255"));
    TreeSet<String> exact = new TreeSet<>();
    for (int i = 0; i < 2_000; i++) {
      exact.add("10.244." + (i / 250) + "." + (i % 250) + " . tcp . " + (8000 + i));
    }
    TreeSet<String> v6 = new TreeSet<>(List.of("::1", "::ffff:10.0.0.1", "::10.0.0.2", "fd00:10:244::14",
        "2001:db8::1:0:0:1", "1:0:0:1::1", "fe80::", "fd00::1:2:3:4:5:6"));
    for (int i = 0; i < 1_000; i++) {
      v6.add("fd00:10:244::" + Integer.toHexString(i + 1));
    }
    SortedMap<String, NamedSet> sets = new TreeMap<>();
    sets.put("ranged", new NamedSet("ranged", false, RulesetRenderer.RECT_TYPE, true, ranged));
    sets.put("any", new NamedSet("any", false, "ipv4_addr", true, any));
    sets.put("exact", new NamedSet("exact", false, RulesetRenderer.RECT_TYPE, false, exact));
    sets.put("closed_v6", new NamedSet("closed_v6", false, "ipv6_addr", false, v6));
    sets.put(RulesetRenderer.FQDN_SET, NamedSet.dynamic(RulesetRenderer.FQDN_SET, RulesetRenderer.FQDN_TYPE));
    sets.put("dispatch", new NamedSet("dispatch", true, "ipv4_addr : verdict", false, new TreeSet<>(List.of(
        "10.244.0.10 : jump check", "10.244.0.11 : goto check", "10.244.0.12 : accept", "10.244.0.13 : drop",
        "10.244.0.14 : return", "10.244.0.15 : continue"))));
    SortedMap<String, Chain> chains = new TreeMap<>();
    chains.put("forward_in", new Chain("forward_in", new dev.palisade.kernel.nft.NftObject.BaseHook("filter", "forward", "filter", "drop"), List.of(
        "ct state established,related accept", "ip saddr vmap @dispatch")));
    chains.put("check", new Chain("check", null, List.of("ip saddr @any return",
        "ip saddr . meta l4proto . th dport @exact return", "ip saddr . meta l4proto . th dport @ranged return",
        "ip6 saddr @closed_v6 drop", "log prefix \"pal:enforce:in:1\" group 100 drop")));
    chains.put("empty", new Chain("empty", null, List.of()));
    return new DesiredRuleset(RulesetRenderer.FAMILY, RulesetRenderer.TABLE, chains, sets);
  }
}
