package dev.palisade.kernel.nft;

import dev.palisade.kernel.nft.NftObject.Element;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * An ordered list of operations on one table, applied all-or-nothing by {@link Nftables#run}.
 * {@link #toString()} is exactly the text handed to nft (one kernel transaction), so a golden file
 * or a log line shows precisely what was applied.
 *
 * <p>Operations are checked as they are added; the first invalid one is kept and
 * {@link Nftables#run} throws it without sending anything, so a builder chain needs no error
 * handling at every step (the knftables style). What is refused is {@link TransactionCheck}'s;
 * the text is {@link TransactionText}'s.
 *
 * <p>nft 1.0.6 (Debian 12) has no {@code destroy} command. {@link #destroy} is written as
 * {@code add} followed by {@code delete} (a chain is flushed between them), which in one
 * transaction means "delete if present" and never fails for absence. Runs of element operations
 * on the same set are written as one {@code { a, b, ... }} line: 100k elements parse as one
 * statement instead of 100k.
 */
public final class Transaction {
  public record Op(Verb verb, NftObject object) {}

  private final String family;
  private final String table;
  private final List<Op> ops = new ArrayList<>();
  private NftException error;

  public Transaction(String family, String table) {
    this.family = family;
    this.table = table;
    String problem = TransactionCheck.tableProblem(family, table);
    if (problem != null) {
      fail(problem);
    }
  }

  public String family() {
    return family;
  }

  public String table() {
    return table;
  }

  public List<Op> ops() {
    return Collections.unmodifiableList(ops);
  }

  public int size() {
    return ops.size();
  }

  public boolean isEmpty() {
    return ops.isEmpty();
  }

  /** The first invalid operation's error, if any. */
  public Optional<NftException> error() {
    return Optional.ofNullable(error);
  }

  public Transaction add(NftObject o) {
    return op(Verb.ADD, o);
  }

  public Transaction create(NftObject o) {
    return op(Verb.CREATE, o);
  }

  public Transaction insert(NftObject o) {
    return op(Verb.INSERT, o);
  }

  public Transaction replace(NftObject o) {
    return op(Verb.REPLACE, o);
  }

  public Transaction delete(NftObject o) {
    return op(Verb.DELETE, o);
  }

  public Transaction destroy(NftObject o) {
    return op(Verb.DESTROY, o);
  }

  public Transaction flush(NftObject o) {
    return op(Verb.FLUSH, o);
  }

  /** Adds every key to a set (one operation per key, written as one line). */
  public Transaction addElements(String set, Collection<String> keys) {
    for (String k : keys) {
      add(Element.of(set, k));
    }
    return this;
  }

  public Transaction deleteElements(String set, Collection<String> keys) {
    for (String k : keys) {
      delete(Element.of(set, k));
    }
    return this;
  }

  /** Appends another transaction's operations (same table), keeping its first error if it had one. */
  public Transaction addAll(Transaction other) {
    if (!other.family.equals(family) || !other.table.equals(table)) {
      fail("cannot merge a transaction on " + other.family + " " + other.table + " into " + family + " " + table);
      return this;
    }
    if (other.error != null && error == null) {
      error = other.error;
    }
    ops.addAll(other.ops);
    return this;
  }

  private Transaction op(Verb verb, NftObject o) {
    String problem = TransactionCheck.problem(verb, o);
    if (problem != null) {
      fail("operation " + (ops.size() + 1) + " (" + verb.word() + " " + TransactionCheck.kind(o) + "): " + problem);
    }
    ops.add(new Op(verb, o));
    return this;
  }

  private void fail(String message) {
    if (error == null) {
      error = NftException.invalid(message);
    }
  }

  /** The transaction as nft reads it: one command per line, element runs merged. */
  @Override
  public String toString() {
    return TransactionText.render(family, table, ops, null);
  }

  /** For each operation, the 1-based line of {@link #toString()} that carries it. */
  int[] lineOfOps() {
    int[] lines = new int[ops.size()];
    TransactionText.render(family, table, ops, lines);
    return lines;
  }
}
