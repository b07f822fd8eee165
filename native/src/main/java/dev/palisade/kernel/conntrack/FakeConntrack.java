package dev.palisade.kernel.conntrack;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * An in-memory {@link Conntrack} for tests: a list of entries that tests add and remove. Like the
 * kernel, adding emits NEW, and removing or deleting emits DESTROY, to every subscriber
 * (synchronously, on the calling thread); {@link #dump()} lists the entries as DUMP; what
 * {@link #delete} removed is also recorded in {@link #deleted()}; {@link #simulateLoss()} plays
 * an ENOBUFS.
 */
public final class FakeConntrack implements Conntrack {
  private final List<ConntrackEvent> entries = new ArrayList<>(); // guarded by this
  private final List<ConntrackEvent> deleted = new ArrayList<>(); // guarded by this
  private final List<Sub> subscribers = new CopyOnWriteArrayList<>();
  private final AtomicLong lost = new AtomicLong();

  private record Sub(Consumer<ConntrackEvent> sink, Runnable onLoss) {}

  /** Adds an entry (stored as DUMP) and emits it as NEW. */
  public void addEntry(ConntrackEvent entry) {
    Objects.requireNonNull(entry, "entry");
    synchronized (this) {
      entries.add(entry.withType(ConntrackEvent.Type.DUMP));
    }
    emit(entry.withType(ConntrackEvent.Type.NEW));
  }

  /** Removes the entries with the same tuple as the given one, emitting DESTROY for each; returns whether any was there. */
  public boolean remove(ConntrackEvent entry) {
    List<ConntrackEvent> gone = new ArrayList<>();
    synchronized (this) {
      for (Iterator<ConntrackEvent> it = entries.iterator(); it.hasNext();) {
        ConntrackEvent e = it.next();
        if (e.sameTuple(entry)) {
          it.remove();
          gone.add(e);
        }
      }
    }
    gone.forEach(e -> emit(e.withType(ConntrackEvent.Type.DESTROY)));
    return !gone.isEmpty();
  }

  /** Calls every subscriber's onLoss, after counting the loss, as an ENOBUFS would. */
  public void simulateLoss() {
    for (Sub s : subscribers) {
      lost.incrementAndGet();
      s.onLoss().run();
    }
  }

  /** Everything {@link #delete} removed so far, in order, as DUMP entries. */
  public synchronized List<ConntrackEvent> deleted() {
    return List.copyOf(deleted);
  }

  @Override
  public AutoCloseable subscribe(Consumer<ConntrackEvent> sink, Runnable onLoss) {
    Sub s = new Sub(Objects.requireNonNull(sink, "sink"), Objects.requireNonNull(onLoss, "onLoss"));
    subscribers.add(s);
    return () -> subscribers.remove(s);
  }

  @Override
  public synchronized List<ConntrackEvent> dump() {
    return List.copyOf(entries);
  }

  @Override
  public int delete(ConntrackFilter filter) {
    Objects.requireNonNull(filter, "filter");
    List<ConntrackEvent> gone = new ArrayList<>();
    synchronized (this) {
      for (Iterator<ConntrackEvent> it = entries.iterator(); it.hasNext();) {
        ConntrackEvent e = it.next();
        if (filter.matches(e)) {
          it.remove();
          gone.add(e);
        }
      }
      deleted.addAll(gone);
    }
    gone.forEach(e -> emit(e.withType(ConntrackEvent.Type.DESTROY)));
    return gone.size();
  }

  @Override
  public long lostEventBursts() {
    return lost.get();
  }

  /** Drops all subscribers. */
  @Override
  public void close() {
    subscribers.clear();
  }

  private void emit(ConntrackEvent e) {
    for (Sub s : subscribers) {
      s.sink().accept(e);
    }
  }
}
