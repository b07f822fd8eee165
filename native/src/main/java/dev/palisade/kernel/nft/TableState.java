package dev.palisade.kernel.nft;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;

/**
 * A table read back from nftables (JSON from the kernel, or the fake's state). Elements are
 * written as nft writes them: {@code 10.0.0.1 . tcp . 80}, {@code 10.1.0.0/24},
 * {@code 10.0.0.1-10.0.0.9}, {@code key : jump chain}.
 */
public record TableState(String family, String name, SortedMap<String, ChainState> chains,
    SortedMap<String, SetState> sets) {

  public record ChainState(String name, long handle, Optional<Hook> hook, List<RuleState> rules) {}

  /** A base chain's hook; priority as the kernel stores it (a number). */
  public record Hook(String type, String hook, int priority, String policy) {}

  /** A rule: its handle and comment (the kernel's rendering of expressions differs from input text). */
  public record RuleState(long handle, Optional<String> comment) {}

  /** A set or map; for a map {@code type} is {@code key : value}. */
  public record SetState(String name, boolean map, String type, List<String> flags, SortedSet<String> elements) {}

  public Optional<SetState> set(String name) {
    return Optional.ofNullable(sets.get(name));
  }

  public Optional<ChainState> chain(String name) {
    return Optional.ofNullable(chains.get(name));
  }

  public static Map<String, Integer> priorityNames() {
    return PRIORITIES;
  }

  private static final Map<String, Integer> PRIORITIES = Map.of("raw", -300, "mangle", -150, "dstnat", -100,
      "filter", 0, "security", 50, "srcnat", 100);
}
