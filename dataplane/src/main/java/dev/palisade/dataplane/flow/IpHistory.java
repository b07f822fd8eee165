package dev.palisade.dataplane.flow;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which pod (and identity) held an IP at a given moment. Pod IPs are reused, and conntrack
 * reports a flow after the fact (a DESTROY can arrive after the pod is gone and its IP handed to
 * a pod of another workload), so a flow is credited by the holder at the flow's own time, never
 * by today's holder. Old tenancies are kept for {@code retentionMillis} after they end.
 *
 * <p>Thread contract: not thread-safe; the agent's single sync thread owns it.
 */
public final class IpHistory {
  /** One pod's hold on an IP: [from, to) in epoch millis; to is Long.MAX_VALUE while it lasts. */
  public record Tenancy(String pod, long identity, long from, long to) {
    public boolean covers(long t) {
      return t >= from && t < to;
    }
  }

  private final Map<String, List<Tenancy>> byIp = new HashMap<>();
  private final long retentionMillis;

  public IpHistory(long retentionMillis) {
    if (retentionMillis < 0) {
      throw new IllegalArgumentException("retention must be >= 0 ms: " + retentionMillis);
    }
    this.retentionMillis = retentionMillis;
  }

  /**
   * Records that the pod holds the IP from {@code at} on. A different pod still holding the IP is
   * ended at {@code at} (its deletion event may come later than the new pod's creation).
   */
  public void assign(String ip, String pod, long identity, long at) {
    List<Tenancy> list = byIp.computeIfAbsent(ip, k -> new ArrayList<>());
    if (!list.isEmpty()) {
      Tenancy last = list.get(list.size() - 1);
      if (last.to() == Long.MAX_VALUE) {
        if (last.pod().equals(pod) && last.identity() == identity) {
          return; // an update that changes nothing about the tenancy
        }
        list.set(list.size() - 1, new Tenancy(last.pod(), last.identity(), last.from(), Math.max(last.from(), at)));
      }
    }
    list.add(new Tenancy(pod, identity, at, Long.MAX_VALUE));
  }

  /** Records that the pod let the IP go at {@code at} (deleted, or its IP changed). */
  public void release(String ip, String pod, long at) {
    List<Tenancy> list = byIp.get(ip);
    if (list == null) {
      return;
    }
    for (int i = list.size() - 1; i >= 0; i--) {
      Tenancy t = list.get(i);
      if (t.pod().equals(pod) && t.to() == Long.MAX_VALUE) {
        list.set(i, new Tenancy(t.pod(), t.identity(), t.from(), Math.max(t.from(), at)));
        return;
      }
    }
  }

  /** The tenancy covering the IP at time t, if any. */
  public Optional<Tenancy> at(String ip, long t) {
    List<Tenancy> list = byIp.get(ip);
    if (list == null) {
      return Optional.empty();
    }
    for (int i = list.size() - 1; i >= 0; i--) {
      if (list.get(i).covers(t)) {
        return Optional.of(list.get(i));
      }
    }
    return Optional.empty();
  }

  /** The current holder of the IP. */
  public Optional<Tenancy> current(String ip) {
    return at(ip, Long.MAX_VALUE - 1);
  }

  /** Forgets tenancies that ended more than the retention before {@code now}. */
  public void expire(long now) {
    byIp.values().forEach(list -> list.removeIf(t -> t.to() != Long.MAX_VALUE && t.to() + retentionMillis < now));
    byIp.values().removeIf(List::isEmpty);
  }

  public int size() {
    return byIp.values().stream().mapToInt(List::size).sum();
  }
}
