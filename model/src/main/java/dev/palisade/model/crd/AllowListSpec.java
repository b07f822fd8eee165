package dev.palisade.model.crd;

import java.util.List;

/**
 * spec of an {@link AllowList}: the compiled policy of one identity at a revision. Peers are
 * identities (id), CIDRs or (egress) DNS names; ports are {@code N} or {@code N-M}.
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
    /**
     * A DNS name ({@code api.payments.example}) or pattern ({@code *.s3.example}: one or more
     * leading labels); egress only, never with peerIdentity or peerCidr. The agent lets the pod
     * reach exactly the addresses the name resolved to for it, until their TTL (plus grace).
     */
    public String peerName;
    public List<String> except;
    public String protocol;
    public String ports;
  }
}
