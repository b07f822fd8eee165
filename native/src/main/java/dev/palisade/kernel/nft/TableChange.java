package dev.palisade.kernel.nft;

import java.util.List;
import java.util.Objects;

/**
 * One committed nftables batch that touched a watched table and was not committed by the
 * watching {@link Nftables} instance (see {@link Nftables#watch}).
 *
 * @param what short text of each change, in the order the kernel reported them, e.g.
 *     {@code delete table inet palisade}, {@code delete 3 rules in chain in_5_pal},
 *     {@code delete element from set pal_in_5_exact}; or just {@link #EVENTS_LOST} when the
 *     watcher could not keep up and the caller must verify the whole table
 * @param generation the ruleset generation the batch created (0 if unknown)
 * @param pid the committing thread's id as the kernel reports it (0 if unknown)
 * @param process the committing task's name ({@code nft}, a thread name; empty if unknown)
 */
public record TableChange(String family, String table, List<String> what, long generation, int pid, String process) {
  /** The only {@link #what} of a change that stands for events the kernel dropped. */
  public static final String EVENTS_LOST = "events lost";

  public TableChange {
    Objects.requireNonNull(family, "family");
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(process, "process");
    what = List.copyOf(what);
    if (what.isEmpty()) {
      throw new IllegalArgumentException("a table change must say what changed (" + family + " " + table + ")");
    }
  }

  /** Changes may have happened that nobody saw: verify the whole table. */
  public static TableChange eventsLost(String family, String table) {
    return new TableChange(family, table, List.of(EVENTS_LOST), 0, 0, "");
  }

  public boolean lost() {
    return what.equals(List.of(EVENTS_LOST));
  }
}
