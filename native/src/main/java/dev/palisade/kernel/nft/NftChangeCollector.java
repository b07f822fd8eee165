package dev.palisade.kernel.nft;

import dev.palisade.kernel.nft.NftEvent.Change;
import dev.palisade.kernel.nft.NftEvent.Generation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Groups one watched table's {@link NftEvent}s into batches: changes pile up until the batch's
 * generation arrives, which says who committed it. A batch that touched the table and was not
 * committed by the watcher's own thread becomes one {@link TableChange}. Pure and
 * single-threaded (the watch's reader thread owns it).
 *
 * <p>Identical changes are counted rather than repeated: flushing a chain of 500 rules reads
 * {@code delete 500 rules in chain c}, as the kernel reports a flush rule by rule.
 */
final class NftChangeCollector {
  private final String family;
  private final String table;
  private final int ownThreadId;
  /** text of a change without its count, to the change and its running total; in arrival order */
  private final Map<String, Pending> pending = new LinkedHashMap<>();

  private static final class Pending {
    final Change first;
    int total;

    Pending(Change first) {
      this.first = first;
    }
  }

  /**
   * @param ownThreadId the thread id whose commits are the watcher's own (the kernel reports the
   *     committing thread, not the process); 0 to report every commit
   */
  NftChangeCollector(String family, String table, int ownThreadId) {
    this.family = family;
    this.table = table;
    this.ownThreadId = ownThreadId;
  }

  /** Takes the next event; returns a change when it closed a batch that concerns the watcher. */
  Optional<TableChange> accept(NftEvent event) {
    if (event instanceof Change c) {
      if (c.family().equals(family) && c.table().equals(table)) {
        pending.computeIfAbsent(c.kind() + " " + c.added() + " " + c.name(), k -> new Pending(c)).total += c.count();
      }
      return Optional.empty();
    }
    Generation g = (Generation) event;
    if (pending.isEmpty()) {
      return Optional.empty();
    }
    List<String> what = new ArrayList<>(pending.size());
    pending.values().forEach(p -> what.add(p.first.text(p.total)));
    pending.clear();
    if (ownThreadId != 0 && g.pid() == ownThreadId) {
      return Optional.empty();
    }
    return Optional.of(new TableChange(family, table, what, g.id(), g.pid(), g.process()));
  }

  /** The kernel dropped events: the batch in progress is unknowable, so report a loss instead. */
  TableChange lost() {
    pending.clear();
    return TableChange.eventsLost(family, table);
  }
}
