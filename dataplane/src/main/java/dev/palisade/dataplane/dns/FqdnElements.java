package dev.palisade.dataplane.dns;

import dev.palisade.dataplane.dns.DnsAnswers.Answer;
import dev.palisade.dataplane.dns.DnsAnswers.Resolved;
import dev.palisade.dataplane.dns.NameGrants.NameRule;
import java.util.List;
import java.util.TreeMap;

/**
 * Pure: one DNS answer and the asking pod's approved names -> the fqdn4 elements to add, as nft
 * text {@code POD . REMOTE . PROTO . PORT timeout Ns} with N = TTL + grace. IPv4 only: the IPv6
 * of a restricted pod is closed as a whole. A name matching no rule adds nothing.
 *
 * <p>And the reverse, when a pod's approved names shrink ({@link #revoked}): the elements its
 * earlier rules made from what it resolved, that its new rules would not make.
 */
public final class FqdnElements {
  private FqdnElements() {}

  /** An element's key (what identifies it in the set) and its lifetime. */
  public record Element(String key, long timeoutSeconds) {
    public String text() {
      return key + " timeout " + timeoutSeconds + "s";
    }
  }

  public static List<Element> of(Answer answer, List<NameRule> rules, long graceSeconds) {
    TreeMap<String, Long> out = new TreeMap<>();
    if (rules.isEmpty() || answer.client().contains(":")) {
      return List.of();
    }
    for (NameRule r : rules) {
      if (!r.matches(answer.name())) {
        continue;
      }
      for (Resolved a : answer.addresses()) {
        if (a.address().contains(":")) {
          continue;
        }
        long timeout = Math.max(1, a.ttlSeconds() + graceSeconds);
        for (int port = r.ports().first(); port <= r.ports().last(); port++) {
          String key = answer.client() + " . " + a.address() + " . " + r.protocol().nftName() + " . " + port;
          out.merge(key, timeout, Math::max);
        }
      }
    }
    return out.entrySet().stream().map(e -> new Element(e.getKey(), e.getValue())).toList();
  }

  /**
   * The keys of the elements {@code before}'s rules made from {@code resolved} (one pod's answers
   * that have not expired) that {@code after}'s rules would not make, sorted: what a revoked or
   * narrowed name leaves in the set until its TTL unless it is deleted.
   */
  public static List<String> revoked(List<Answer> resolved, List<NameRule> before, List<NameRule> after) {
    if (before.isEmpty() || before.equals(after)) {
      return List.of();
    }
    java.util.TreeSet<String> out = new java.util.TreeSet<>();
    for (Answer a : resolved) {
      of(a, before, 0).forEach(e -> out.add(e.key()));
    }
    for (Answer a : resolved) {
      of(a, after, 0).forEach(e -> out.remove(e.key()));
    }
    return List.copyOf(out);
  }
}
