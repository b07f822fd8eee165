package dev.palisade.kernel.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.palisade.kernel.nft.NftObject.Element;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The contract on the in-memory fake, plus what only the fake offers. */
class FakeNftablesTest extends NftablesContract {
  private final FakeNftables fake = new FakeNftables();

  @Override
  Nftables nft() {
    return fake;
  }

  @Test
  void dumpIsSortedAndStable() {
    fake.run(base().add(Element.of("pods", "10.0.0.9")).add(Element.of("pods", "10.0.0.10")));
    String dump = fake.dump();
    assertEquals(dump, fake.dump());
    assertEquals("""
        table inet paltest
          chain check
            ip saddr . meta l4proto . th dport @peers accept
            counter drop comment "default"
          chain pod_forward { type filter hook forward priority 0 ; policy accept ; }
            ct state established,related accept
            ip saddr @pods jump check
          set peers { type ipv4_addr . inet_proto . inet_service ; flags interval }
          set pods { type ipv4_addr }
            10.0.0.10
            10.0.0.9
        """, dump);
  }

  @Test
  void anInjectedFailureKeepsThePreviousState() {
    fake.run(base().add(Element.of("pods", "10.0.0.9")));
    fake.failNextRun("simulated: netlink ENOBUFS");
    assertThrows(NftException.class, () -> fake.run(tx().add(Element.of("pods", "10.0.0.10"))));
    assertEquals(Set.of("10.0.0.9"), state().set("pods").orElseThrow().elements());
    fake.run(tx().add(Element.of("pods", "10.0.0.10")));
    assertEquals(Set.of("10.0.0.10", "10.0.0.9"), state().set("pods").orElseThrow().elements());
  }
}
