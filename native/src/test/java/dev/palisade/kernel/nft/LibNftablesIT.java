package dev.palisade.kernel.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.kernel.netns.NetNs;
import dev.palisade.kernel.nft.NftObject.Element;
import dev.palisade.kernel.nft.NftObject.Rule;
import dev.palisade.testkit.KernelTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The contract on the real kernel, in a throwaway namespace, plus kernel-only behaviour. */
@KernelTest
class LibNftablesIT extends NftablesContract {
  /** Overridable so parallel runs on one machine each use a namespace of their own. */
  private static final String NS = System.getProperty("palisade.it.netns", "pal-t-nft");
  private static NetNs ns;
  private static LibNftables nft;

  @BeforeAll
  static void open() {
    NetNs.delete(NS);
    ns = NetNs.create(NS);
    nft = LibNftables.open(ns);
  }

  @AfterAll
  static void close() {
    if (nft != null) {
      nft.close();
    }
    if (ns != null) {
      ns.close();
    }
    NetNs.delete(NS);
  }

  @Override
  Nftables nft() {
    return nft;
  }

  @Test
  void aSyntaxErrorCarriesNftsTextAndLine() {
    nft.run(base());
    NftException e = assertThrows(NftException.class, () -> nft.run(tx()
        .add(Element.of("pods", "10.0.0.1"))
        .add(Rule.of("check", "ip saddr 10.0.0.1 acept"))));
    assertEquals(NftException.Kind.SYNTAX, e.kind(), e.getMessage());
    assertEquals(2, e.lineNumber());
    assertTrue(e.nftMessage().contains("syntax error"), e.nftMessage());
    assertTrue(e.nftMessage().contains("acept"), "nft's text shows the line: " + e.nftMessage());
    assertEquals("add rule inet paltest check ip saddr 10.0.0.1 acept", e.line().orElseThrow());
    assertEquals(java.util.Set.of(), state().set("pods").orElseThrow().elements());
  }

  @Test
  void theContextLivesInItsNamespaceOnly() throws Exception {
    nft.run(base());
    String hostView = dev.palisade.kernel.netns.Commands.run("nft", "list", "tables");
    assertTrue(!hostView.contains(TABLE), "the host namespace does not see the lab table: " + hostView);
    assertTrue(ns.exec("nft", "list", "tables").contains(TABLE));
  }
}
