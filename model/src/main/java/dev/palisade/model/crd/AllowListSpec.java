package dev.palisade.model.crd;

import java.util.List;

/**
 * spec of an {@link AllowList}: the compiled policy of one identity at a revision. Peers are
 * identities (id) or CIDRs; ports are {@code N} or {@code N-M}.
 */
public class AllowListSpec {
  public long identity;
  public long revision;
  /**
   * How many AllowLists the controller wrote under {@link #revision} (this one among them). One
   * decision rewrites several identities' lists one object at a time, so an agent that holds only
   * some of them must not yet claim the revision: it counts those it holds against this.
   */
  public int revisionSize;
  public String mode;
  public List<Rule> ingress;
  public List<Rule> egress;

  /** One allowed peer, protocol and port range. */
  public static class Rule {
    public Long peerIdentity;
    public String peerCidr;
    public List<String> except;
    public String protocol;
    public String ports;
  }
}
