package dev.palisade.kernel.nft;

import dev.palisade.kernel.nft.NftObject.Table;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@link Nftables} in memory, for unit tests and for running the agent without a kernel. It
 * applies a transaction to a copy of the table and commits only if every operation succeeds (set
 * elements are persistent maps, so the copy shares them instead of copying 10k elements per
 * transaction). Each table ({@link FakeTable}) checks what the kernel checks about objects; rule
 * expressions are not parsed ({@link FakeNftText}): nft syntax errors only show on the kernel,
 * which the contract tests cover. A refused operation fails the whole transaction with the
 * {@link NftException} the kernel's error would give, naming the operation's line.
 */
public final class FakeNftables implements Nftables {
  private final Map<String, FakeTable> tables = new TreeMap<>();
  private final List<String> applied = new ArrayList<>();
  private final FakeWatchers watchers = new FakeWatchers();
  private long nextTableHandle = 1;
  private long generation;
  private NftException failNext;

  /** {@inheritDoc} Watchers are not told: this is the watching instance's own commit. */
  @Override
  public synchronized void run(Transaction tx) {
    commit(tx);
    applied.add(tx.toString());
  }

  /**
   * Applies the transaction as another tool would (it is not listed in {@link #applied}) and then
   * calls the listeners watching its table synchronously, on the calling thread, after the
   * fake's lock is released (a listener may run transactions). Nothing is told if it fails.
   */
  public void runAsOther(Transaction tx) {
    long gen;
    synchronized (this) {
      gen = commit(tx);
    }
    if (!tx.isEmpty()) {
      watchers.notify(tx, gen);
    }
  }

  /** Applies all of the transaction or nothing; returns the new generation. */
  private long commit(Transaction tx) {
    FakeTable result = apply(tx);
    String key = key(tx.family(), tx.table());
    if (result == null) {
      tables.remove(key);
    } else {
      tables.put(key, result);
    }
    return ++generation;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Only {@link #runAsOther} notifies, synchronously; the returned watch's close is immediate.
   */
  @Override
  public TableWatch watch(String family, String table, java.util.function.Consumer<TableChange> listener) {
    Transaction probe = new Transaction(family, table); // validates the names
    if (probe.error().isPresent()) {
      throw probe.error().get();
    }
    return watchers.add(family, table, listener);
  }

  @Override
  public synchronized void check(Transaction tx) {
    apply(tx);
  }

  /** Makes the next run fail as the kernel would, e.g. to test that a failed apply keeps the old state. */
  public synchronized void failNextRun(String message) {
    failNext = new NftException(NftException.Kind.OTHER, message, Optional.empty(), 0);
  }

  /** The text of every transaction applied, in order. */
  public synchronized List<String> applied() {
    return List.copyOf(applied);
  }

  private FakeTable apply(Transaction tx) {
    if (tx.error().isPresent()) {
      throw tx.error().get();
    }
    if (failNext != null) {
      NftException e = failNext;
      failNext = null;
      throw e;
    }
    FakeTable existing = tables.get(key(tx.family(), tx.table()));
    FakeTable t = existing == null ? null : existing.copy();
    long tableHandle = nextTableHandle;
    int[] lines = tx.lineOfOps();
    String[] text = tx.toString().split("\n", -1);
    List<Transaction.Op> ops = tx.ops();
    for (int i = 0; i < ops.size(); i++) {
      Transaction.Op op = ops.get(i);
      try {
        if (op.object() instanceof Table) {
          t = table(t, op.verb(), tx, tableHandle);
          if (t != null && t.handle == tableHandle) {
            tableHandle++;
          }
        } else {
          if (t == null) {
            throw FakeRefusal.notFound("table " + tx.family() + " " + tx.table());
          }
          t.apply(op.verb(), op.object());
        }
      } catch (FakeRefusal r) {
        int line = lines[i];
        throw new NftException(r.kind, "Error: Could not process rule: " + r.getMessage() + "\n" + text[line - 1],
            Optional.of(text[line - 1]), line);
      }
    }
    nextTableHandle = tableHandle;
    return t;
  }

  private FakeTable table(FakeTable t, Verb verb, Transaction tx, long newHandle) {
    switch (verb) {
      case ADD:
        return t != null ? t : new FakeTable(tx.family(), tx.table(), newHandle);
      case CREATE:
        if (t != null) {
          throw FakeRefusal.exists("table " + tx.table());
        }
        return new FakeTable(tx.family(), tx.table(), newHandle);
      case DELETE:
        if (t == null) {
          throw FakeRefusal.notFound("table " + tx.table());
        }
        return null;
      case DESTROY:
        return null;
      case FLUSH:
        if (t == null) {
          throw FakeRefusal.notFound("table " + tx.table());
        }
        t.flush();
        return t;
      default:
        throw new IllegalStateException(verb + " table");
    }
  }

  @Override
  public synchronized Optional<TableState> table(String family, String name) {
    return Optional.ofNullable(tables.get(key(family, name))).map(FakeTable::state);
  }

  /** Every table as sorted text: chains and sets by name, rules in order, elements sorted. */
  public synchronized String dump() {
    StringBuilder sb = new StringBuilder();
    tables.values().forEach(t -> t.dump(sb));
    return sb.toString();
  }

  private static String key(String family, String name) {
    return family + " " + name;
  }

  @Override
  public void close() {
    // nothing held
  }

  /** Tables currently held, as "family name". */
  public synchronized List<String> tableNames() {
    return Collections.unmodifiableList(new ArrayList<>(tables.keySet()));
  }
}
