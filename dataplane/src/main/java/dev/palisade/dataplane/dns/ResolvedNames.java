package dev.palisade.dataplane.dns;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What each local pod resolved: pod address -> (name, address) -> expiry, where expiry is the
 * answer's TTL plus a grace period (a client may connect a little after its cache's TTL; the
 * kernel set elements get the same lifetime). Bounded per pod and in total: a pod that resolves
 * endlessly many names evicts its own oldest entries first, then the oldest of all go. Evicting
 * only forgets attribution; enforcement lives in the kernel set and expires there by itself.
 *
 * <p>Thread contract: written by the DNS hold's thread, read by the flow observer's: every method
 * is synchronized (each is short: at most one pod's entries are walked).
 */
public final class ResolvedNames {
  public static final Duration DEFAULT_GRACE = Duration.ofSeconds(30);
  public static final int DEFAULT_PER_POD = 1000;
  public static final int DEFAULT_TOTAL = 100_000;

  private record Entry(String name, String address) {}

  private record Key(String pod, Entry entry) {}

  private final long graceMillis;
  private final int maxPerPod;
  private final int maxTotal;
  /** pod -> its entries, least recently recorded first. */
  private final Map<String, LinkedHashMap<Entry, Long>> byPod = new java.util.HashMap<>();
  /** every entry, least recently recorded first (for the total bound). */
  private final LinkedHashMap<Key, Boolean> order = new LinkedHashMap<>();

  public ResolvedNames() {
    this(DEFAULT_GRACE, DEFAULT_PER_POD, DEFAULT_TOTAL);
  }

  public ResolvedNames(Duration grace, int maxPerPod, int maxTotal) {
    if (grace.isNegative()) {
      throw new IllegalArgumentException("grace must not be negative: " + grace);
    }
    if (maxPerPod < 1 || maxTotal < maxPerPod) {
      throw new IllegalArgumentException("bounds must be 1 <= per pod <= total, not " + maxPerPod + " / " + maxTotal);
    }
    this.graceMillis = grace.toMillis();
    this.maxPerPod = maxPerPod;
    this.maxTotal = maxTotal;
  }

  public long graceSeconds() {
    return graceMillis / 1000;
  }

  /** Records that {@code pod} resolved {@code name} to {@code address}; returns the expiry (epoch ms). */
  public synchronized long record(String pod, String name, String address, long ttlSeconds, long nowMillis) {
    long expiry = nowMillis + Math.max(0, ttlSeconds) * 1000 + graceMillis;
    Entry e = new Entry(name, address);
    LinkedHashMap<Entry, Long> entries = byPod.computeIfAbsent(pod, k -> new LinkedHashMap<>());
    Long old = entries.remove(e);
    entries.put(e, old == null ? expiry : Math.max(old, expiry));
    Key k = new Key(pod, e);
    order.remove(k);
    order.put(k, Boolean.TRUE);
    while (entries.size() > maxPerPod) {
      Entry oldest = entries.keySet().iterator().next();
      forget(pod, oldest);
    }
    while (order.size() > maxTotal) {
      Key oldest = order.keySet().iterator().next();
      forget(oldest.pod(), oldest.entry());
    }
    return entries.getOrDefault(e, expiry);
  }

  /** The names {@code pod} resolved to {@code address} that have not expired, sorted. */
  public synchronized SortedSet<String> namesFor(String pod, String address, long nowMillis) {
    TreeSet<String> out = new TreeSet<>();
    LinkedHashMap<Entry, Long> entries = byPod.get(pod);
    if (entries == null) {
      return out;
    }
    for (var e : entries.entrySet()) {
      if (e.getKey().address().equals(address) && e.getValue() > nowMillis) {
        out.add(e.getKey().name());
      }
    }
    return out;
  }

  /**
   * What {@code pod} resolved that has not expired, as answers (one per name, its addresses with
   * the seconds left, rounded up): what the fqdn4 elements the pod may still hold were made of.
   */
  public synchronized java.util.List<DnsAnswers.Answer> answersOf(String pod, long nowMillis) {
    LinkedHashMap<Entry, Long> entries = byPod.get(pod);
    if (entries == null) {
      return java.util.List.of();
    }
    Map<String, java.util.List<DnsAnswers.Resolved>> byName = new java.util.TreeMap<>();
    for (var e : entries.entrySet()) {
      if (e.getValue() > nowMillis) {
        long left = (e.getValue() - nowMillis + 999) / 1000;
        byName.computeIfAbsent(e.getKey().name(), k -> new java.util.ArrayList<>())
            .add(new DnsAnswers.Resolved(e.getKey().address(), left));
      }
    }
    return byName.entrySet().stream().map(e -> new DnsAnswers.Answer(pod, e.getKey(), e.getValue())).toList();
  }

  /** Drops expired entries (call now and then; lookups ignore them anyway). */
  public synchronized void expire(long nowMillis) {
    for (Iterator<Map.Entry<Key, Boolean>> it = order.entrySet().iterator(); it.hasNext(); ) {
      Key k = it.next().getKey();
      LinkedHashMap<Entry, Long> entries = byPod.get(k.pod());
      if (entries.get(k.entry()) <= nowMillis) {
        it.remove();
        entries.remove(k.entry());
        if (entries.isEmpty()) {
          byPod.remove(k.pod());
        }
      }
    }
  }

  public synchronized int size() {
    return order.size();
  }

  private void forget(String pod, Entry e) {
    LinkedHashMap<Entry, Long> entries = byPod.get(pod);
    entries.remove(e);
    if (entries.isEmpty()) {
      byPod.remove(pod);
    }
    order.remove(new Key(pod, e));
  }
}
