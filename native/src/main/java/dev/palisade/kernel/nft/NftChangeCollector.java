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
 *
 * <p>Every commit in the network namespace, whatever its table, bumps one generation counter and
 * sends the new id to every listener, so ids arrive one apart. A gap means whole batches were
 * lost without the socket saying so (ENOBUFS is reported once per congestion, and a CI run once
 * heard 4 of 20 batches and then nothing): it is reported as a loss too, at the latest with the
 * next commit anyone makes. More than happened, never less.
 */
final class NftChangeCollector {
  private final String family;
  private final String table;
  private final int ownThreadId;
  /** text of a change without its count, to the change and its running total; in arrival order */
  private final Map<String, Pending> pending = new LinkedHashMap<>();
  /** The last generation id heard, or -1 when unknown (at start, after a loss). */
  private long lastGeneration = -1;

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

  String family() {
    return family;
  }

  String table() {
    return table;
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
    boolean gap = lastGeneration != -1 && g.id() != next(lastGeneration);
    lastGeneration = g.id();
    if (gap) {
      pending.clear();
      return Optional.of(TableChange.eventsLost(family, table));
    }
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
    lastGeneration = -1;
    return TableChange.eventsLost(family, table);
  }

  /** The id after {@code id}: a u32 that wraps and skips 0, as the kernel's counter does. */
  static long next(long id) {
    long n = (id + 1) & 0xFFFF_FFFFL;
    return n == 0 ? 1 : n;
  }
}
