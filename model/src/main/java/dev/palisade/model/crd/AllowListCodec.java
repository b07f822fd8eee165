package dev.palisade.model.crd;

import dev.palisade.model.Cidr;
import dev.palisade.model.IdentityPolicy;
import dev.palisade.model.Mode;
import dev.palisade.model.Peer;
import dev.palisade.model.PeerRule;
import dev.palisade.model.PortRange;
import dev.palisade.model.Protocol;
import java.util.ArrayList;
import java.util.List;

/** IR <-> the AllowList custom resource's spec. Reading validates: agents trust nothing unchecked. */
public final class AllowListCodec {
  /** Ports a peerName rule may span: the agent writes one set element per port and address. */
  public static final int MAX_NAME_PORTS = 64;

  private AllowListCodec() {}

  public static AllowListSpec toSpec(IdentityPolicy p, long revision) {
    AllowListSpec s = new AllowListSpec();
    s.identity = p.identity();
    s.revision = revision;
    s.mode = p.mode().text();
    s.ingress = rules(p.ingress());
    s.egress = rules(p.egress());
    return s;
  }

  private static List<AllowListSpec.Rule> rules(List<PeerRule> rules) {
    List<AllowListSpec.Rule> out = new ArrayList<>();
    for (PeerRule r : rules) {
      AllowListSpec.Rule x = new AllowListSpec.Rule();
      if (r.peer() instanceof Peer.OfIdentity id) {
        x.peerIdentity = id.identity();
      } else if (r.peer() instanceof Peer.OfName n) {
        x.peerName = n.pattern();
      } else {
        Peer.OfCidr c = (Peer.OfCidr) r.peer();
        x.peerCidr = c.cidr().toString();
        x.except = c.except().stream().map(Cidr::toString).toList();
      }
      x.protocol = r.protocol().name();
      x.ports = r.ports().toString();
      out.add(x);
    }
    return out;
  }

  /** @throws IllegalArgumentException naming the bad field */
  public static IdentityPolicy fromSpec(AllowListSpec s) {
    if (s == null) {
      throw new IllegalArgumentException("AllowList has no spec");
    }
    return new IdentityPolicy(s.identity, Mode.parse(s.mode), read(s.ingress, "ingress"), read(s.egress, "egress"));
  }

  private static List<PeerRule> read(List<AllowListSpec.Rule> rules, String dir) {
    List<PeerRule> out = new ArrayList<>();
    if (rules == null) {
      return out;
    }
    for (int i = 0; i < rules.size(); i++) {
      AllowListSpec.Rule r = rules.get(i);
      String at = dir + "[" + i + "]";
      if (r == null) {
        throw new IllegalArgumentException(at + ": null, not a rule"); // else the message would be an NPE's
      }
      Peer peer;
      if (r.peerName != null) {
        peer = name(r, dir, at);
      } else if (r.peerIdentity != null && r.peerCidr == null) {
        peer = new Peer.OfIdentity(r.peerIdentity);
      } else if (r.peerCidr != null && r.peerIdentity == null) {
        List<Cidr> except = new ArrayList<>();
        if (r.except != null) {
          r.except.forEach(e -> except.add(Cidr.parse(e)));
        }
        peer = new Peer.OfCidr(Cidr.parse(r.peerCidr), except);
      } else {
        throw new IllegalArgumentException(at + ": exactly one of peerIdentity, peerCidr and peerName");
      }
      PortRange ports = ports(r.ports, at);
      if (peer instanceof Peer.OfName && ports.last() - ports.first() >= MAX_NAME_PORTS) {
        throw new IllegalArgumentException(at + ".ports: a peerName rule spans at most " + MAX_NAME_PORTS
            + " ports (each becomes its own kernel set element per resolved address), not '" + r.ports + "'");
      }
      out.add(new PeerRule(peer, Protocol.parse(r.protocol), ports));
    }
    return out;
  }

  private static Peer name(AllowListSpec.Rule r, String dir, String at) {
    if (r.peerIdentity != null || r.peerCidr != null) {
      throw new IllegalArgumentException(at + ": exactly one of peerIdentity, peerCidr and peerName");
    }
    if (!"egress".equals(dir)) {
      throw new IllegalArgumentException(at + ".peerName: DNS names are egress peers only");
    }
    if (r.except != null && !r.except.isEmpty()) {
      throw new IllegalArgumentException(at + ".except: only a peerCidr has exceptions");
    }
    try {
      return new Peer.OfName(r.peerName);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(at + ".peerName: " + e.getMessage());
    }
  }

  private static PortRange ports(String text, String at) {
    try {
      if (text == null || text.isBlank()) {
        return PortRange.ALL;
      }
      String[] p = text.split("-", 2);
      return p.length == 1 ? PortRange.of(Integer.parseInt(p[0])) : new PortRange(Integer.parseInt(p[0]), Integer.parseInt(p[1]));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(at + ".ports: '" + text + "' is not a port or range");
    }
  }
}
