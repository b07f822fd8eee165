package dev.palisade.kernel.nft;

import dev.palisade.kernel.nft.NftObject.Chain;
import dev.palisade.kernel.nft.NftObject.Element;
import dev.palisade.kernel.nft.NftObject.NftMap;
import dev.palisade.kernel.nft.NftObject.NftSet;
import dev.palisade.kernel.nft.NftObject.Rule;
import dev.palisade.kernel.nft.NftObject.Table;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The watches on a {@link FakeNftables}: who listens to which table, and the text of a
 * transaction as a {@link TableChange} ({@code flush chain c}, {@code delete 2 elements from set
 * s}: the operations as written, where the kernel reports their effects). Thread-safe.
 */
final class FakeWatchers {
  /** What the fake reports as the committing process of {@link FakeNftables#runAsOther}. */
  static final String OTHER_PROCESS = "other";

  private record Watch(String family, String table, Consumer<TableChange> listener) {}

  private final List<Watch> watches = new CopyOnWriteArrayList<>();

  TableWatch add(String family, String table, Consumer<TableChange> listener) {
    Watch w = new Watch(family, table, java.util.Objects.requireNonNull(listener, "listener"));
    watches.add(w);
    return () -> watches.remove(w);
  }

  /** Calls, on the calling thread, every listener watching the transaction's table. */
  void notify(Transaction tx, long generation) {
    TableChange change = null;
    for (Watch w : watches) {
      if (w.family.equals(tx.family()) && w.table.equals(tx.table()) && watches.contains(w)) {
        if (change == null) {
          change = new TableChange(tx.family(), tx.table(), describe(tx), generation, 0, OTHER_PROCESS);
        }
        w.listener.accept(change);
      }
    }
  }

  /** One line per distinct operation, in order; repeats of a rule or element operation are counted. */
  static List<String> describe(Transaction tx) {
    Map<List<String>, Integer> counts = new LinkedHashMap<>();
    for (Transaction.Op op : tx.ops()) {
      counts.merge(parts(tx, op), 1, Integer::sum);
    }
    List<String> what = new ArrayList<>(counts.size());
    counts.forEach((p, n) -> {
      boolean countable = p.get(1).equals("rule") || p.get(1).equals("element");
      String noun = countable && n > 1 ? n + " " + p.get(1) + "s" : p.get(1);
      what.add(p.get(0) + " " + noun + " " + p.get(2));
    });
    return what;
  }

  /** verb, noun, and where: the object's name, a rule's chain, an element's set. */
  private static List<String> parts(Transaction tx, Transaction.Op op) {
    String verb = op.verb().word();
    NftObject o = op.object();
    if (o instanceof Table) {
      return List.of(verb, "table", tx.family() + " " + tx.table());
    } else if (o instanceof Chain c) {
      return List.of(verb, "chain", c.name());
    } else if (o instanceof Rule r) {
      return List.of(verb, "rule", "in chain " + r.chain());
    } else if (o instanceof NftSet s) {
      return List.of(verb, "set", s.name());
    } else if (o instanceof NftMap m) {
      return List.of(verb, "map", m.name());
    }
    Element e = (Element) o;
    return List.of(verb, "element", (op.verb() == Verb.DELETE || op.verb() == Verb.DESTROY ? "from set " : "to set ")
        + e.setName());
  }
}
