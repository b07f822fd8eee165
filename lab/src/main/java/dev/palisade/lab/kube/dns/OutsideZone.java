package dev.palisade.lab.kube.dns;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The names beyond the cluster that the lab's cluster DNS answers itself (a scenario's
 * {@code outside.dns}), as a real cluster's DNS would forward them upstream and pass the answer
 * on. Each name has its A records and their TTL; {@link #set} replaces a name's answer
 * atomically: a question sees the old answer or the new one, never a mix. Any thread.
 */
public final class OutsideZone {
  /** A name's current answer: its addresses (maybe none) and the TTL they are given with. */
  public record Answer(List<String> addresses, int ttlSeconds) {
    public Answer {
      addresses = List.copyOf(addresses);
      if (ttlSeconds < 0) {
        throw new IllegalArgumentException("TTL must be 0 or more seconds, not " + ttlSeconds);
      }
    }
  }

  private final AtomicReference<Map<String, Answer>> names = new AtomicReference<>(Map.of());

  /** Sets (or replaces) the answer for a name; the name is matched without case and trailing dot. */
  public void set(String name, List<String> addresses, int ttlSeconds) {
    Answer a = new Answer(addresses, ttlSeconds);
    String key = normal(name);
    names.updateAndGet(old -> {
      Map<String, Answer> next = new HashMap<>(old);
      next.put(key, a);
      return Map.copyOf(next);
    });
  }

  /** The answer for a name, or empty when the zone does not hold it. */
  public Optional<Answer> lookup(String name) {
    return Optional.ofNullable(names.get().get(normal(name)));
  }

  private static String normal(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }
}
