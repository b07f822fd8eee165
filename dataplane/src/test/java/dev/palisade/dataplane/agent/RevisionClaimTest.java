package dev.palisade.dataplane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.palisade.model.crd.AllowListSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RevisionClaimTest {
  private static AllowListSpec list(long identity, long revision, int size) {
    AllowListSpec s = new AllowListSpec();
    s.identity = identity;
    s.revision = revision;
    s.revisionSize = size;
    return s;
  }

  @Test
  void nothingHeldClaimsNothing() {
    assertEquals(0, RevisionClaim.of(List.of()));
  }

  @Test
  void aRevisionCountsOnlyOnceEveryListItWroteIsHeld() {
    List<AllowListSpec> held = new ArrayList<>(List.of(list(1, 4, 1), list(2, 3, 2), list(3, 3, 2)));
    assertEquals(4, RevisionClaim.of(held));
    // revision 5 rewrote identities 1 and 2; only the first has arrived
    held.set(0, list(1, 5, 2));
    assertEquals(4, RevisionClaim.of(held));
    held.set(1, list(2, 5, 2));
    assertEquals(5, RevisionClaim.of(held));
  }

  @Test
  void listsWrittenBeforeTheCountExistedAreTakenAsComplete() {
    assertEquals(7, RevisionClaim.of(List.of(list(1, 7, 0), list(2, 6, 0))));
  }
}
