package dev.palisade.model.crd;

import java.util.List;

/**
 * spec of an {@link AllowList}: the compiled policy of one identity at a revision. Peers are
 * identities (id) or CIDRs; ports are {@code N} or {@code N-M}.
 */
public class AllowListSpec {
  public long identity;
  public long revision;
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
