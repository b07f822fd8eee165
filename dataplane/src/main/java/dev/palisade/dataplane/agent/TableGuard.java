package dev.palisade.dataplane.agent;

import dev.palisade.dataplane.render.RulesetRenderer;
import dev.palisade.kernel.nft.Nftables;
import dev.palisade.kernel.nft.TableChange;
import dev.palisade.kernel.nft.TableWatch;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The agent's self-repair role: notices that someone else changed its table and has the next sync
 * restore it. Two sources, one answer:
 *
 * <pre>
 *  nftables monitor (netlink, its own thread) --what changed--+
 *                                                             +--> note it, ask for a sync (TAMPER)
 *  every verifyEvery (backstop: events lost, a missed monitor) +--> ask for a sync (VERIFY)
 *
 *  sync thread, before it calculates: {@link #repairInto} -> KernelSync.tampered(what) (rewrite those
 *  parts) or KernelSync.verify() (read the table back, compare, rewrite what differs)
 * </pre>
 *
 * The monitor names what changed, so the repair need not read 100k elements back; the full
 * comparison runs only when the monitor lost events or the backstop is due. Not more often than
 * that: reading a table of 100k elements back costs the sync thread (bench/RESULTS.md, restart
 * adoption).
 */
final class TableGuard implements AutoCloseable {
  /** What the monitor's changes keep for the log line of a repair (they coalesce until a sync). */
  private static final int KEPT = 50;

  private final Nftables nft;
  private final Duration verifyEvery;
  private final Consumer<String> askForSync;
  private final ScheduledExecutorService verifier = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "verify-" + r.hashCode());
    t.setDaemon(true);
    return t;
  });
  private final AtomicBoolean verifyDue = new AtomicBoolean();
  /** What the monitor reported others did to the table since the last sync (null: nothing). */
  private final AtomicReference<List<String>> foreignChanges = new AtomicReference<>();
  private TableWatch watch;

  /** {@code askForSync} takes the sync's cause ({@link SyncCause#TAMPER} or {@link SyncCause#VERIFY}). */
  TableGuard(Nftables nft, Duration verifyEvery, Consumer<String> askForSync) {
    this.nft = nft;
    this.verifyEvery = verifyEvery;
    this.askForSync = askForSync;
  }

  void start() {
    watch = nft.watch(RulesetRenderer.FAMILY, RulesetRenderer.TABLE, this::onChange);
    long period = verifyEvery.toMillis();
    verifier.scheduleWithFixedDelay(() -> {
      verifyDue.set(true);
      askForSync.accept(SyncCause.VERIFY);
    }, period, period, TimeUnit.MILLISECONDS);
  }

  /** On the monitor's thread: keep what changed for the sync, and ask for one. */
  void onChange(TableChange change) {
    foreignChanges.accumulateAndGet(change.what(), (a, b) -> a == null ? b
        : Stream.concat(a.stream(), b.stream()).limit(KEPT).toList());
    if (change.lost()) {
      verifyDue.set(true);
    }
    askForSync.accept(SyncCause.TAMPER);
  }

  /**
   * On the sync thread, before the sync calculates: has {@code kernel} rewrite what others changed
   * (named by the monitor) or compare the whole table (events lost, or the backstop is due).
   */
  void repairInto(KernelSync kernel) {
    List<String> foreign = foreignChanges.getAndSet(null);
    boolean due = verifyDue.getAndSet(false); // taken either way: one comparison serves every reason for it
    if (foreign != null && !foreign.contains(TableChange.EVENTS_LOST) && !due) {
      kernel.tampered(foreign);
    } else if (foreign != null || due) {
      try {
        kernel.verify();
      } catch (RuntimeException e) { // the table could not be read back: the sync's retry compares again
        verifyDue.set(true);
        throw e;
      }
    }
  }

  @Override
  public void close() {
    if (watch != null) {
      watch.close();
    }
    verifier.shutdownNow();
  }
}
