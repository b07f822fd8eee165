package dev.palisade.bench;

import dev.palisade.dataplane.render.AllowRect;
import dev.palisade.dataplane.render.Interval;
import java.util.HashSet;
import java.util.Set;

/**
 * The allow-list the harnesses load: n TCP tuples over up to 10,000 peer addresses
 * (10.100.0.0 upwards) and n / 10,000 ports (20000 upwards), both spaced by 2 so that no two
 * tuples merge into one interval element.
 */
public final class AllowedTuples {
  public static final int PEERS = 10_000;

  private AllowedTuples() {}

  public static Set<AllowRect> of(int n) {
    int peers = Math.min(n, PEERS);
    int ports = Math.max(1, n / PEERS);
    Set<AllowRect> allowed = new HashSet<>();
    for (int i = 0; i < peers; i++) {
      long ip = Interval.parseIp("10.100.0.0") + 2L * i;
      for (int p = 0; p < ports; p++) {
        allowed.add(new AllowRect(new Interval(ip, ip), AllowRect.Proto.TCP, Interval.port(20000 + 2 * p)));
      }
    }
    return allowed;
  }
}
