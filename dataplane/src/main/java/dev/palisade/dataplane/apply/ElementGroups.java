package dev.palisade.dataplane.apply;

import dev.palisade.dataplane.apply.AdoptionPlanner.Group;
import dev.palisade.dataplane.apply.TableComparison.ElementChange;
import dev.palisade.dataplane.render.DesiredRuleset.NamedSet;
import dev.palisade.kernel.nft.NftObject.Element;
import dev.palisade.kernel.nft.Transaction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Pure: one set's element difference as groups of operations that may be committed apart. An add
 * and a delete are independent, except in an interval set where a wanted element overlaps one the
 * kernel holds and must lose: the kernel refuses to add an interval that overlaps an existing one,
 * so the two go into one commit (delete, then add). Overlaps are found by a sweep over the first
 * part of the elements (runs of elements whose first-part ranges overlap); within a run, parts are
 * compared in full, and elements that cannot be read are grouped whole, which is only ever larger
 * than needed, never wrong.
 */
final class ElementGroups {
  /** Beyond this many pairs in one run, the run is one group instead of being split pairwise. */
  private static final long PAIRWISE_LIMIT = 1_000_000;

  private ElementGroups() {}

  private record Item(String text, boolean add, long[][] ranges, String[] parts) {}

  /** Adds independent adds to {@code adds}, independent deletes and overlap groups to {@code deletes}. */
  static void split(NamedSet s, ElementChange change, List<Group> adds, List<Group> deletes) {
    if (!s.interval() || change.missing().isEmpty() || change.surplus().isEmpty()) {
      change.missing().forEach(e -> adds.add(add(s, e)));
      change.surplus().forEach(e -> deletes.add(delete(s, e)));
      return;
    }
    List<Item> items = new ArrayList<>();
    change.missing().forEach(e -> items.add(item(s, e, true)));
    change.surplus().forEach(e -> items.add(item(s, e, false)));
    if (items.stream().anyMatch(i -> i.ranges()[0] == null)) {
      group(s, items, adds, deletes); // cannot tell what overlaps: all together
      return;
    }
    items.sort(Comparator.comparingLong(i -> i.ranges()[0][0]));
    int start = 0;
    long end = -1;
    for (int i = 0; i <= items.size(); i++) {
      if (i == items.size() || (i > start && items.get(i).ranges()[0][0] > end)) {
        run(s, items.subList(start, i), adds, deletes);
        start = i;
      }
      if (i < items.size()) {
        end = i == start ? items.get(i).ranges()[0][1] : Math.max(end, items.get(i).ranges()[0][1]);
      }
    }
  }

  /** A run of elements whose first parts overlap in a chain: split it into connected groups. */
  private static void run(NamedSet s, List<Item> run, List<Group> adds, List<Group> deletes) {
    long a = run.stream().filter(Item::add).count();
    long d = run.size() - a;
    if (a == 0 || d == 0 || a * d > PAIRWISE_LIMIT) {
      if (a == 0 || d == 0) {
        run.forEach(i -> (i.add() ? adds : deletes).add(i.add() ? add(s, i.text()) : delete(s, i.text())));
      } else {
        group(s, run, adds, deletes);
      }
      return;
    }
    int[] parent = new int[run.size()];
    Arrays.setAll(parent, k -> k);
    for (int x = 0; x < run.size(); x++) {
      for (int y = x + 1; y < run.size(); y++) {
        if (run.get(x).add() != run.get(y).add() && overlap(run.get(x), run.get(y))) {
          parent[find(parent, x)] = find(parent, y);
        }
      }
    }
    List<List<Item>> groups = new ArrayList<>();
    int[] index = new int[run.size()];
    Arrays.fill(index, -1);
    for (int k = 0; k < run.size(); k++) {
      int root = find(parent, k);
      if (index[root] < 0) {
        index[root] = groups.size();
        groups.add(new ArrayList<>());
      }
      groups.get(index[root]).add(run.get(k));
    }
    for (List<Item> g : groups) {
      if (g.size() == 1) {
        Item i = g.get(0);
        (i.add() ? adds : deletes).add(i.add() ? add(s, i.text()) : delete(s, i.text()));
      } else {
        group(s, g, adds, deletes);
      }
    }
  }

  private static int find(int[] parent, int k) {
    while (parent[k] != k) {
      parent[k] = parent[parent[k]];
      k = parent[k];
    }
    return k;
  }

  private static boolean overlap(Item x, Item y) {
    if (x.parts().length != y.parts().length) {
      return true;
    }
    for (int p = 0; p < x.parts().length; p++) {
      long[] rx = x.ranges()[p];
      long[] ry = y.ranges()[p];
      if (rx != null && ry != null) {
        if (rx[1] < ry[0] || ry[1] < rx[0]) {
          return false;
        }
      } else if (!x.parts()[p].equals(y.parts()[p])) {
        return false;
      }
    }
    return true;
  }

  /** Deletes, then adds, in one commit. */
  private static void group(NamedSet s, List<Item> items, List<Group> adds, List<Group> deletes) {
    List<String> gone = items.stream().filter(i -> !i.add()).map(Item::text).toList();
    List<String> added = items.stream().filter(Item::add).map(Item::text).toList();
    deletes.add(new Group(items.size(), tx -> {
      gone.forEach(e -> tx.delete(Element.of(s.name(), e)));
      added.forEach(e -> tx.add(Element.of(s.name(), e)));
    }));
  }

  private static Item item(NamedSet s, String text, boolean add) {
    String canonical = ElementText.canonical(s.type(), false, text);
    return new Item(text, add, ElementText.ranges(s.type(), canonical), canonical.split(" \\. "));
  }

  private static Group add(NamedSet s, String e) {
    return new Group(1, tx -> tx.add(Element.of(s.name(), e)));
  }

  private static Group delete(NamedSet s, String e) {
    return new Group(1, (Transaction tx) -> tx.delete(Element.of(s.name(), e)));
  }
}
