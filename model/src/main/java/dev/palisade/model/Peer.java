package dev.palisade.model;

import java.util.List;

/** The other end of an allowed connection: a workload identity, or a CIDR (minus exceptions). */
public sealed interface Peer extends Comparable<Peer> {
  record OfIdentity(long identity) implements Peer {}

  record OfCidr(Cidr cidr, List<Cidr> except) implements Peer {
    public OfCidr {
      except = List.copyOf(except);
    }
  }

  @Override
  default int compareTo(Peer o) {
    return toString().compareTo(o.toString());
  }
}
