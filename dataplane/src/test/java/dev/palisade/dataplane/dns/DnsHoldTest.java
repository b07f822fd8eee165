package dev.palisade.dataplane.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dataplane.dns.DnsWire.Rr;
import dev.palisade.dataplane.dns.NameGrants.NameRule;
import dev.palisade.dataplane.render.RulesetRenderer;
import dev.palisade.kernel.nfqueue.FakePacketQueue;
import dev.palisade.kernel.nfqueue.PacketQueue.Verdict;
import dev.palisade.kernel.nft.FakeNftables;
import dev.palisade.kernel.nft.NftObject;
import dev.palisade.kernel.nft.Transaction;
import dev.palisade.model.PortRange;
import dev.palisade.model.Protocol;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The hold against the fake kernel: which answers become which fqdn4 elements, and that every answer passes. */
class DnsHoldTest {
  private static final String POD = "10.244.1.5";
  private final FakeNftables nft = new FakeNftables();
  private final ResolvedNames names = new ResolvedNames(Duration.ofSeconds(30), 100, 1000);
  private NameGrants grants = NameGrants.of(Map.of(POD, List.of(
      new NameRule("api.payments.example", Protocol.TCP, PortRange.of(443)),
      new NameRule("*.s3.example", Protocol.TCP, new PortRange(8000, 8001)))));
  private DnsHold hold;
  private FakePacketQueue queue;

  @BeforeEach
  void table() {
    nft.run(new Transaction(RulesetRenderer.FAMILY, RulesetRenderer.TABLE).add(NftObject.Table.of())
        .add(NftObject.NftSet.of(RulesetRenderer.FQDN_SET, RulesetRenderer.FQDN_TYPE, "timeout")));
    hold = new DnsHold(nft, names, () -> grants, () -> 1_000_000L);
    queue = new FakePacketQueue(5, hold);
  }

  private Set<String> elements() {
    return Set.copyOf(nft.table(RulesetRenderer.FAMILY, RulesetRenderer.TABLE).orElseThrow()
        .set(RulesetRenderer.FQDN_SET).orElseThrow().elements());
  }

  private static byte[] answer(String client, String name, List<Rr> rrs) {
    return DnsAnswersTest.ipv4(client, DnsWire.response(1, name, rrs));
  }

  @Test
  void anApprovedNameAddsItsAddressesForThatPodWithTtlPlusGrace() {
    assertEquals(Verdict.ACCEPT, queue.offer(answer(POD, "api.payments.example",
        List.of(new Rr("api.payments.example", "A", 2, "203.0.113.7")))));
    assertEquals(Verdict.ACCEPT, queue.offer(answer(POD, "a.b.s3.example",
        List.of(new Rr("a.b.s3.example", "CNAME", 60, "edge.cdn.example"),
            new Rr("edge.cdn.example", "A", 120, "198.51.100.1")))));
    Set<String> els = elements();
    assertEquals(3, els.size(), els.toString());
    assertTrue(els.stream().anyMatch(e -> e.startsWith("10.244.1.5 . 203.0.113.7 . tcp . 443")), els.toString());
    assertTrue(els.stream().anyMatch(e -> e.startsWith("10.244.1.5 . 198.51.100.1 . tcp . 8001")), els.toString());
    assertEquals(Set.of("api.payments.example"), names.namesFor(POD, "203.0.113.7", 1_000_000L));
    assertEquals(3, hold.elementsAdded());
    assertEquals(List.of(new FqdnElements.Element("10.244.1.5 . 203.0.113.7 . tcp . 443", 32)),
        FqdnElements.of(DnsAnswers.parse(answer(POD, "api.payments.example",
            List.of(new Rr("api.payments.example", "A", 2, "203.0.113.7")))).answer(), grants.rulesFor(POD), 30));
  }

  @Test
  void unapprovedNamesOtherPodsAndGarbageAddNothingButStillPass() {
    assertEquals(Verdict.ACCEPT, queue.offer(answer(POD, "evil.example",
        List.of(new Rr("evil.example", "A", 60, "192.0.2.66")))));
    assertEquals(Verdict.ACCEPT, queue.offer(answer("10.244.1.6", "api.payments.example",
        List.of(new Rr("api.payments.example", "A", 60, "203.0.113.7")))));
    assertEquals(Verdict.ACCEPT, queue.offer(new byte[] {0x45, 0, 0}));
    assertEquals(Set.of(), elements());
    assertEquals(1, hold.refused());
    assertEquals(Set.of("evil.example"), names.namesFor(POD, "192.0.2.66", 1_000_000L),
        "unapproved names are still learned, for attribution");
  }

  @Test
  void aFailedKernelWriteReleasesTheAnswerWithoutElements() {
    nft.failNextRun("no buffer space");
    assertEquals(Verdict.ACCEPT, queue.offer(answer(POD, "api.payments.example",
        List.of(new Rr("api.payments.example", "A", 2, "203.0.113.7")))));
    assertEquals(Set.of(), elements());
    assertEquals(1, hold.writeFailures());
  }

  @Test
  void theHookQueuesOnlyTheClusterDnsAnswers() {
    List<List<String>> ran = new java.util.ArrayList<>();
    DnsHoldHook.install(argv -> {
      ran.add(argv);
      return !argv.contains("-C");
    }, 5, List.of("10.96.0.10"));
    assertEquals(List.of("iptables-nft", "-w", "-t", "mangle", "-A", "FORWARD", "-s", "10.96.0.10", "-p", "udp",
        "--sport", "53", "-m", "comment", "--comment", "palisade-dns-hold", "-j", "NFQUEUE", "--queue-num", "5",
        "--queue-bypass"), ran.get(1));
  }
}
