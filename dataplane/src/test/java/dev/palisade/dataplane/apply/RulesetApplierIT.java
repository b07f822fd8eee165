package dev.palisade.dataplane.apply;

import dev.palisade.kernel.netns.NetNs;
import dev.palisade.kernel.nft.LibNftables;
import dev.palisade.kernel.nft.Nftables;
import dev.palisade.testkit.KernelTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

@KernelTest
class RulesetApplierIT extends RulesetApplierContract {
  // PAL_NS_TAG (e.g. the branch) tells apart namespaces of test runs sharing one machine
  private static final String NS = "pal-t-apply-" + System.getenv().getOrDefault("PAL_NS_TAG", "t") + "-"
      + ProcessHandle.current().pid();
  private NetNs ns;
  private LibNftables nft;

  @BeforeEach
  void open() {
    ns = NetNs.create(NS);
    nft = LibNftables.open(ns);
  }

  @AfterEach
  void close() {
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
}
