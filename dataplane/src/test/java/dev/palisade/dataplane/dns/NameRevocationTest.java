package dev.palisade.dataplane.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.palisade.dataplane.dns.DnsWire.Rr;
import dev.palisade.dataplane.dns.NameGrants.NameRule;
import dev.palisade.dataplane.render.NodeRules;
import dev.palisade.dataplane.render.RulesetRenderer;
import dev.palisade.kernel.nfqueue.FakePacketQueue;
import dev.palisade.kernel.nft.FakeNftables;
import dev.palisade.kernel.nft.NftObject;
import dev.palisade.kernel.nft.Transaction;
import dev.palisade.model.PortRange;
import dev.palisade.model.Protocol;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 22: a name taken away (its edge un-approved or rejected, a pattern narrowed, a port
 * dropped) leaves none of its addresses in the kernel's fqdn4 set after the next sync, while the
 * names still approved keep theirs. Through the runner the agent calls after each sync, over the
 * fake kernel.
 */
class NameRevocationTest {
  private static final String POD = "10.244.1.5";
  private static final String OTHER = "10.244.1.6";
  private static final NameRule API = new NameRule("api.payments.example", Protocol.TCP, PortRange.of(443));
  private static final NameRule S3 = new NameRule("*.s3.example", Protocol.TCP, new PortRange(8000, 8001));

  private final FakeNftables nft = new FakeNftables();
  private final ResolvedNames names = new ResolvedNames(Duration.ofSeconds(30), 100, 1000);
  private DnsHoldRunner runner;
  private FakePacketQueue queue;

  @BeforeEach
  void up() {
    nft.run(new Transaction(RulesetRenderer.FAMILY, RulesetRenderer.TABLE).add(NftObject.Table.of())
        .add(NftObject.NftSet.of(RulesetRenderer.FQDN_SET, RulesetRenderer.FQDN_TYPE, "timeout")));
    runner = new DnsHoldRunner(nft, names, 5, argv -> true, h -> queue = new FakePacketQueue(5, h));
    sync(Map.of(POD, List.of(API, S3), OTHER, List.of(API)));
    answer(POD, "api.payments.example", "203.0.113.7");
    answer(POD, "a.s3.example", "198.51.100.1");
    answer(OTHER, "api.payments.example", "203.0.113.7");
    assertEquals(Set.of(
        "10.244.1.5 . 198.51.100.1 . tcp . 8000", "10.244.1.5 . 198.51.100.1 . tcp . 8001",
        "10.244.1.5 . 203.0.113.7 . tcp . 443", "10.244.1.6 . 203.0.113.7 . tcp . 443"), keys());
  }

  private void sync(Map<String, List<NameRule>> grants) {
    runner.onSync(NameGrants.of(grants), NodeRules.Failsafe.NONE);
  }

  private void answer(String pod, String name, String address) {
    queue.offer(DnsAnswersTest.ipv4(pod, DnsWire.response(1, name, List.of(new Rr(name, "A", 300, address)))));
  }

  /** The set's element keys, without their timeouts. */
  private Set<String> keys() {
    Set<String> out = new TreeSet<>();
    for (String e : nft.table(RulesetRenderer.FAMILY, RulesetRenderer.TABLE).orElseThrow()
        .set(RulesetRenderer.FQDN_SET).orElseThrow().elements()) {
      out.add(e.replaceAll(" timeout .*| expires .*", ""));
    }
    return out;
  }

  @Test
  void anUnapprovedNameLosesItsAddressesForThatPodAtTheNextSync() {
    sync(Map.of(POD, List.of(S3), OTHER, List.of(API)));
    assertEquals(Set.of("10.244.1.5 . 198.51.100.1 . tcp . 8000", "10.244.1.5 . 198.51.100.1 . tcp . 8001",
        "10.244.1.6 . 203.0.113.7 . tcp . 443"), keys(), "the other pod keeps the same address by its own grant");
    assertEquals(1, runner.hold().elementsRevoked());
    // an answer after the revoke adds nothing for the revoked name
    answer(POD, "api.payments.example", "203.0.113.8");
    assertEquals(3, keys().size());
  }

  @Test
  void aNarrowedPortOrPatternDropsOnlyWhatItNoLongerCovers() {
    sync(Map.of(POD, List.of(API, new NameRule("*.s3.example", Protocol.TCP, PortRange.of(8000))),
        OTHER, List.of(API)));
    assertEquals(Set.of("10.244.1.5 . 198.51.100.1 . tcp . 8000", "10.244.1.5 . 203.0.113.7 . tcp . 443",
        "10.244.1.6 . 203.0.113.7 . tcp . 443"), keys());
    sync(Map.of(POD, List.of(API, new NameRule("*.eu.s3.example", Protocol.TCP, PortRange.of(8000))),
        OTHER, List.of(API)));
    assertEquals(Set.of("10.244.1.5 . 203.0.113.7 . tcp . 443", "10.244.1.6 . 203.0.113.7 . tcp . 443"), keys());
  }

  @Test
  void aPodThatLosesEveryNameLosesEveryElementAndUnchangedGrantsTouchNothing() {
    long before = runner.hold().elementsRevoked();
    sync(Map.of(POD, List.of(API, S3), OTHER, List.of(API)));
    assertEquals(before, runner.hold().elementsRevoked(), "same grants: no transaction");
    sync(Map.of(POD, List.of(API, S3)));
    assertEquals(Set.of("10.244.1.5 . 198.51.100.1 . tcp . 8000", "10.244.1.5 . 198.51.100.1 . tcp . 8001",
        "10.244.1.5 . 203.0.113.7 . tcp . 443"), keys());
  }

  @Test
  void anElementThatAlreadyLeftTheSetIsNoError() {
    nft.run(new Transaction(RulesetRenderer.FAMILY, RulesetRenderer.TABLE)
        .delete(NftObject.Element.of(RulesetRenderer.FQDN_SET, "10.244.1.5 . 203.0.113.7 . tcp . 443")));
    sync(Map.of(POD, List.of(S3), OTHER, List.of(API)));
    assertEquals(3, keys().size());
    assertEquals(0, runner.hold().writeFailures());
  }
}
