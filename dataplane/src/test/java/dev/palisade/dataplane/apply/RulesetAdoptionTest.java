package dev.palisade.dataplane.apply;

import dev.palisade.kernel.nft.FakeNftables;
import dev.palisade.kernel.nft.Nftables;

class RulesetAdoptionTest extends RulesetAdoptionContract {
  private final FakeNftables fake = new FakeNftables();

  @Override
  Nftables nft() {
    return fake;
  }
}
