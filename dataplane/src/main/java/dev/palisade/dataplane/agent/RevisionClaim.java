package dev.palisade.dataplane.agent;

import dev.palisade.model.crd.AllowListSpec;
import java.util.Collection;

/**
 * Which controller revision an agent may claim to enforce, from the AllowLists it holds.
 *
 * <p>One decision rewrites several AllowLists (both ends of an approved edge, at least) under one
 * revision R, one object at a time. An agent that has received the first of them holds a list at R
 * but not yet the others: claiming R then would let a caller (the lab's convergence wait, a
 * latency benchmark) probe a flow the kernel does not allow yet. So R counts only once the agent
 * holds as many lists at R as the controller wrote ({@link AllowListSpec#revisionSize}); until
 * then the claim is R - 1, which is safe because one watch delivers every list of earlier
 * revisions before any list of R.
 */
final class RevisionClaim {
  private RevisionClaim() {
  }

  static long of(Collection<AllowListSpec> held) {
    long newest = 0;
    for (AllowListSpec s : held) {
      newest = Math.max(newest, s.revision);
    }
    if (newest == 0) {
      return 0;
    }
    int atNewest = 0;
    int expected = 0;
    for (AllowListSpec s : held) {
      if (s.revision == newest) {
        atNewest++;
        expected = Math.max(expected, s.revisionSize);
      }
    }
    return atNewest >= expected ? newest : newest - 1;
  }
}
