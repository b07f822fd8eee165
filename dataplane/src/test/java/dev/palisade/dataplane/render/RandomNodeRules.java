package dev.palisade.dataplane.render;

import dev.palisade.dataplane.render.AllowRect.Proto;
import dev.palisade.dataplane.render.NodeRules.Direction;
import dev.palisade.dataplane.render.NodeRules.Enforcement;
import dev.palisade.dataplane.render.NodeRules.Failsafe;
import dev.palisade.dataplane.render.NodeRules.Group;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Random {@link NodeRules} and connections from a seeded {@link Random}, drawn from a small
 * address pool (10.0.0.0-10.0.0.27, ports 0-7, six IPv6 addresses) so that pods, peers, failsafe
 * entries and connections collide often: every stage of the forward chain gets exercised. Some
 * directions reuse the very set objects of an earlier one, as the renderer then shares a set trio.
 */
public final class RandomNodeRules {
  /** 10.0.0.0: local pods are .0-.15, peers anywhere in .0-.23, connections also reach .24-.27. */
  static final long BASE = 0x0A00_0000L;
  static final String[] V6 = {"fd00::1", "fd00::2", "fd00::3", "fd00::a:4", "fd00:0:0:1::5", "2001:db8::6"};

  /** A connection as the tracer and the verdict take it. */
  public record Connection(String src, String dst, Proto proto, int port) {
    @Override
    public String toString() {
      return src + " -> " + dst + " " + proto.nft() + "/" + port;
    }
  }

  private final Random rnd;
  private Set<Interval> sharedAny;
  private Set<AllowRect> sharedRects;

  public RandomNodeRules(long seed) {
    rnd = new Random(seed);
  }

  public NodeRules rules() {
    List<Integer> local = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      local.add(i);
    }
    Collections.shuffle(local, rnd);
    List<Group> groups = new ArrayList<>();
    int next = 0;
    int count = rnd.nextInt(5);
    for (int g = 0; g < count; g++) {
      int n = 1 + rnd.nextInt(3);
      Set<String> ips = new HashSet<>();
      for (int k = 0; k < n; k++) {
        ips.add(Interval.ipString(BASE + local.get(next++)));
      }
      groups.add(new Group("g" + g, 100 + g, ips, direction(), direction()));
    }
    Failsafe failsafe = rnd.nextInt(3) == 0 ? Failsafe.NONE : new Failsafe(intervals(rnd.nextInt(3), true), rects(rnd.nextInt(4)));
    Set<String> closed = new HashSet<>();
    for (String a : V6) {
      if (rnd.nextInt(10) < 3) {
        closed.add(a);
      }
    }
    return new NodeRules(groups, failsafe).withClosedV6(closed);
  }

  public Connection connection() {
    Proto proto = Proto.values()[rnd.nextInt(3)];
    int port = rnd.nextInt(8);
    if (rnd.nextInt(100) < 15) {
      return new Connection(spelled(v6()), spelled(v6()), proto, port);
    }
    return new Connection(Interval.ipString(BASE + rnd.nextInt(28)), Interval.ipString(BASE + rnd.nextInt(28)), proto, port);
  }

  private String v6() {
    return rnd.nextInt(8) == 0 ? "fd00::99" : V6[rnd.nextInt(V6.length)];
  }

  /** The same address as conntrack might spell it, or not: upper case, zeros written out. */
  private String spelled(String a) {
    return switch (rnd.nextInt(4)) {
      case 0 -> a.toUpperCase(java.util.Locale.ROOT);
      case 1 -> {
        int[] g = Ipv6.parse(a);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
          sb.append(i == 0 ? "" : ":").append(String.format("%04x", g[i]));
        }
        yield sb.toString();
      }
      default -> a;
    };
  }

  private Direction direction() {
    if (rnd.nextInt(4) == 0) {
      return Direction.OPEN;
    }
    Set<Interval> npAny;
    Set<AllowRect> np;
    if (sharedAny != null && rnd.nextInt(4) == 0) {
      npAny = sharedAny;
      np = sharedRects;
    } else {
      npAny = intervals(rnd.nextInt(3), false);
      np = rects(rnd.nextInt(5));
      sharedAny = npAny;
      sharedRects = np;
    }
    return new Direction(rnd.nextBoolean(), npAny, np, Enforcement.values()[rnd.nextInt(3)],
        intervals(rnd.nextInt(2), false), rects(rnd.nextInt(5)), tier(false), tier(true));
  }

  /** A ClusterNetworkPolicy tier for one side: none in half the cases, else up to four rules. */
  private TierOrder.TierRects tier(boolean baseline) {
    if (rnd.nextInt(3) == 0) {
      return TierOrder.TierRects.NONE;
    }
    java.util.List<TierOrder.TierRule> rules = new java.util.ArrayList<>();
    for (int i = (baseline ? 1 : 0) + rnd.nextInt(5); i > 0; i--) {
      var actions = dev.palisade.model.cnp.ClusterNetworkPolicy.Action.values();
      Set<AllowRect> matches = new HashSet<>();
      for (int k = 1 + rnd.nextInt(4); k > 0; k--) {
        // half of them every port: cluster policies often name peers only, and so hit often
        matches.add(new AllowRect(addresses(), Proto.values()[rnd.nextInt(3)],
            rnd.nextBoolean() ? Interval.ALL_PORTS : ports()));
      }
      // Baseline mostly denies (its accepts are not rendered): its stage must be reached often
      var action = baseline && rnd.nextBoolean() ? actions[1] : actions[rnd.nextInt(actions.length)];
      rules.add(new TierOrder.TierRule(action, matches));
    }
    return TierOrder.resolve(rules);
  }

  private Set<Interval> intervals(int n, boolean small) {
    Set<Interval> out = new HashSet<>();
    for (int i = 0; i < n; i++) {
      out.add(small ? addresses(1 + rnd.nextInt(2)) : addresses());
    }
    return Set.copyOf(out);
  }

  private Set<AllowRect> rects(int n) {
    Set<AllowRect> out = new HashSet<>();
    for (int i = 0; i < n; i++) {
      out.add(new AllowRect(addresses(), Proto.values()[rnd.nextInt(3)], ports()));
    }
    return Set.copyOf(out);
  }

  /** A single address, a range, an aligned CIDR, now and then everything. */
  private Interval addresses() {
    int kind = rnd.nextInt(20);
    if (kind == 0) {
      return Interval.ALL_IPS;
    }
    if (kind < 4) {
      int size = rnd.nextBoolean() ? 4 : 8;
      long from = BASE + size * rnd.nextInt(24 / size);
      return new Interval(from, from + size - 1);
    }
    return addresses(kind < 11 ? 1 : 2 + rnd.nextInt(5));
  }

  private Interval addresses(int length) {
    long from = BASE + rnd.nextInt(24);
    return new Interval(from, from + length - 1);
  }

  private Interval ports() {
    int kind = rnd.nextInt(10);
    if (kind == 0) {
      return Interval.ALL_PORTS;
    }
    int from = 1 + rnd.nextInt(6);
    return kind < 6 ? Interval.port(from) : Interval.ports(from, from + 1 + rnd.nextInt(3));
  }
}
