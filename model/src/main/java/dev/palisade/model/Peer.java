package dev.palisade.model;

import java.util.List;

/**
 * The other end of an allowed connection: a workload identity, a CIDR (minus exceptions), or
 * (egress) what a DNS name resolved to.
 */
public sealed interface Peer extends Comparable<Peer> {
  record OfIdentity(long identity) implements Peer {}

  record OfCidr(Cidr cidr, List<Cidr> except) implements Peer {
    public OfCidr {
      except = List.copyOf(except);
    }
  }

  /**
   * Addresses outside the cluster that a DNS name (or {@code *.suffix} pattern, see
   * {@link NamePatterns}) resolved to for the pod itself; egress only.
   */
  record OfName(String pattern) implements Peer {
    public OfName {
      pattern = NamePatterns.checkPattern(pattern);
    }
  }

  @Override
  default int compareTo(Peer o) {
    return toString().compareTo(o.toString());
  }
}
