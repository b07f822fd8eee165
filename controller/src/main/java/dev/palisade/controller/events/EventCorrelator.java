package dev.palisade.controller.events;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pure bookkeeping, after kubelet's EventCorrelator: repeats of one Event (same key) are
 * aggregated into one object whose count and lastTimestamp grow, and every API write (a create or
 * a patch) takes a token from one bucket (burst {@code burst}, one token back per
 * {@code refillMillis}). A repeat that finds no token is only counted; {@link #flush} writes the
 * newest counts once tokens are back. So a flood costs at most burst + elapsed/refill writes, and
 * the counts written are still exact once the flood is over. A new Event goes before count
 * updates: patches leave {@code burst / 5} tokens for creates, and a flush creates before it
 * patches, so a developer sees a new kind of drop within a refill period even while an old one
 * floods (count updates can wait; the first sight of an edge cannot). At most {@code maxKeys} aggregates
 * are kept (least recently seen dropped first): memory stays bounded whatever the traffic.
 * Thread-safe (synchronized); time is passed in, so tests drive it with a fake clock.
 */
public final class EventCorrelator {
  /**
   * What makes two Events one: the namespace and workload (NS/KIND/NAME) it is on, type and
   * reason, the edge as shown there, the mode, the deciding layer and the direction (in, out) of
   * the rules that decided.
   */
  public record Key(String namespace, String involved, String type, String reason, String edge, String mode,
      String layer, String direction) {}

  /** One API write: a create (first time) or a patch of count and lastTimestamp. */
  public record Write(boolean create, Key key, long count, long firstMillis, long lastMillis) {}

  private static final class Aggregate {
    long count;
    long first;
    long last;
    boolean created;
    boolean dirty;
  }

  private final int burst;
  private final long refillMillis;
  private final int reserve;
  private final Map<Key, Aggregate> aggregates;
  private double tokens;
  private long refilledAt = Long.MIN_VALUE;

  public EventCorrelator(int burst, long refillMillis, int maxKeys) {
    if (burst < 1 || refillMillis < 1 || maxKeys < 1) {
      throw new IllegalArgumentException("burst, refillMillis and maxKeys must be positive: " + burst + ", "
          + refillMillis + ", " + maxKeys);
    }
    this.burst = burst;
    this.refillMillis = refillMillis;
    this.reserve = burst / 5;
    this.tokens = burst;
    this.aggregates = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Key, Aggregate> eldest) {
        return size() > maxKeys;
      }
    };
  }

  /** One more occurrence at {@code nowMillis}: the write to make now, if a token allows one. */
  public synchronized List<Write> observe(Key key, long nowMillis) {
    Aggregate a = aggregates.computeIfAbsent(key, k -> new Aggregate());
    if (a.count == 0) {
      a.first = nowMillis;
    }
    a.count++;
    a.last = Math.max(a.last, nowMillis);
    a.dirty = true;
    return take(nowMillis, !a.created) ? List.of(write(key, a)) : List.of();
  }

  /** The counts not yet written, as far as tokens allow: new Events first, then count updates (oldest first). */
  public synchronized List<Write> flush(long nowMillis) {
    List<Write> out = new ArrayList<>();
    for (boolean creates : new boolean[] {true, false}) {
      for (Map.Entry<Key, Aggregate> e : aggregates.entrySet()) {
        Aggregate a = e.getValue();
        if (a.dirty && a.created != creates) {
          if (!take(nowMillis, creates)) {
            break;
          }
          out.add(write(e.getKey(), a));
        }
      }
    }
    return out;
  }

  /** A write failed: count it as not written, so the next flush tries again (and creates again if the create failed). */
  public synchronized void failed(Write w) {
    Aggregate a = aggregates.get(w.key());
    if (a != null) {
      a.dirty = true;
      if (w.create()) {
        a.created = false;
      }
    }
  }

  public synchronized int size() {
    return aggregates.size();
  }

  private Write write(Key key, Aggregate a) {
    Write w = new Write(!a.created, key, a.count, a.first, a.last);
    a.created = true;
    a.dirty = false;
    return w;
  }

  /** A token for a write; a patch only while more than the creates' reserve is left. */
  private boolean take(long now, boolean create) {
    if (refilledAt == Long.MIN_VALUE) {
      refilledAt = now;
    } else if (now > refilledAt) {
      long periods = (now - refilledAt) / refillMillis;
      if (periods > 0) {
        tokens = Math.min(burst, tokens + periods);
        refilledAt += periods * refillMillis;
      }
    }
    if (tokens >= (create ? 1 : 1 + reserve)) {
      tokens--;
      return true;
    }
    return false;
  }
}
