package dev.palisade.dataplane.apply;

import dev.palisade.dataplane.render.DesiredRuleset;
import dev.palisade.dataplane.render.DesiredRuleset.Chain;
import dev.palisade.dataplane.render.DesiredRuleset.NamedSet;
import dev.palisade.kernel.nft.NftObject.BaseHook;
import dev.palisade.kernel.nft.TableState;
import dev.palisade.kernel.nft.TableState.ChainState;
import dev.palisade.kernel.nft.TableState.Hook;
import dev.palisade.kernel.nft.TableState.SetState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Pure: what the kernel's table holds against what is wanted, object by object, with elements
 * compared in {@link ElementText canonical form} and chains by {@link ChainDigest digest}. Both
 * the adoption plan (write only the difference after a restart) and {@code RulesetApplier.verify}
 * (report tampering exactly) read it, so they cannot disagree about what differs.
 *
 * @param tableMissing the table does not exist at all
 * @param missingChains wanted chains the kernel lacks
 * @param changedChains chains present whose rules are not the wanted ones (count or digest)
 * @param rehookedChains chains present with the wrong hook, type, priority or policy (or base where
 *     a regular chain is wanted, or the reverse): they are recreated
 * @param staleChains chains the kernel has that are not wanted
 * @param missingSets wanted sets and maps the kernel lacks
 * @param retypedSets sets and maps present with the wrong kind, type or flags: they are recreated
 * @param staleSets sets and maps the kernel has that are not wanted
 * @param elements per wanted set present with the right type: elements to add and to delete
 */
record TableComparison(boolean tableMissing, List<String> missingChains, List<String> changedChains,
    List<String> rehookedChains, List<String> staleChains, List<String> missingSets, List<String> retypedSets,
    List<String> staleSets, Map<String, ElementChange> elements) {

  /**
   * The element difference of one set: {@code missing} in the renderer's text (what to add),
   * {@code surplus} in the kernel's text (what it accepts for deletion).
   */
  record ElementChange(List<String> missing, List<String> surplus) {
    boolean isEmpty() {
      return missing.isEmpty() && surplus.isEmpty();
    }
  }

  static TableComparison of(Optional<TableState> present, DesiredRuleset want) {
    if (present.isEmpty()) {
      return new TableComparison(true, List.copyOf(want.chains().keySet()), List.of(), List.of(), List.of(),
          List.copyOf(want.sets().keySet()), List.of(), List.of(), Map.of());
    }
    TableState have = present.get();
    List<String> missingChains = new ArrayList<>();
    List<String> changedChains = new ArrayList<>();
    List<String> rehooked = new ArrayList<>();
    for (Chain c : want.chains().values()) {
      ChainState k = have.chains().get(c.name());
      if (k == null) {
        missingChains.add(c.name());
      } else if (!sameHook(k.hook(), c)) {
        rehooked.add(c.name());
      } else if (!ChainDigest.matches(k, c)) {
        changedChains.add(c.name());
      }
    }
    List<String> missingSets = new ArrayList<>();
    List<String> retyped = new ArrayList<>();
    Map<String, ElementChange> elements = new TreeMap<>();
    for (NamedSet s : want.sets().values()) {
      SetState k = have.sets().get(s.name());
      if (k == null) {
        missingSets.add(s.name());
      } else if (!sameType(k, s)) {
        retyped.add(s.name());
      } else if (!s.dynamic()) { // a dynamic set's elements are the DNS hold's, expiring by themselves
        ElementChange change = elements(k, s);
        if (!change.isEmpty()) {
          elements.put(s.name(), change);
        }
      }
    }
    List<String> staleChains = new ArrayList<>(new TreeSet<>(have.chains().keySet()));
    staleChains.removeAll(want.chains().keySet());
    List<String> staleSets = new ArrayList<>(new TreeSet<>(have.sets().keySet()));
    staleSets.removeAll(want.sets().keySet());
    return new TableComparison(false, missingChains, changedChains, rehooked, staleChains, missingSets, retyped,
        staleSets, elements);
  }

  /** Nothing to write: the kernel holds exactly what is wanted. */
  boolean isEmpty() {
    return !tableMissing && missingChains.isEmpty() && changedChains.isEmpty() && rehookedChains.isEmpty()
        && staleChains.isEmpty() && missingSets.isEmpty() && retypedSets.isEmpty() && staleSets.isEmpty()
        && elements.isEmpty();
  }

  /** One line per difference, elements with up to {@code examples} examples each. */
  List<String> describe(String family, String table, int examples) {
    List<String> out = new ArrayList<>();
    if (tableMissing) {
      out.add("table " + family + " " + table + " missing");
      return out;
    }
    missingChains.forEach(c -> out.add("chain " + c + " missing"));
    rehookedChains.forEach(c -> out.add("chain " + c + " has the wrong hook, priority or policy"));
    changedChains.forEach(c -> out.add("chain " + c + " does not hold the wanted rules (rule count or digest differ)"));
    staleChains.forEach(c -> out.add("chain " + c + " is not wanted"));
    missingSets.forEach(s -> out.add("set " + s + " missing"));
    retypedSets.forEach(s -> out.add("set " + s + " has the wrong type or flags"));
    staleSets.forEach(s -> out.add("set " + s + " is not wanted"));
    elements.forEach((name, ch) -> {
      if (!ch.missing().isEmpty()) {
        out.add("set " + name + ": " + ch.missing().size() + " element(s) missing, e.g. " + some(ch.missing(), examples));
      }
      if (!ch.surplus().isEmpty()) {
        out.add("set " + name + ": " + ch.surplus().size() + " surplus element(s), e.g. " + some(ch.surplus(), examples));
      }
    });
    return out;
  }

  private static String some(List<String> items, int n) {
    return items.size() <= n ? items.toString() : items.subList(0, n) + " ...";
  }

  private static final ElementChange NO_CHANGE = new ElementChange(List.of(), List.of());

  private static ElementChange elements(SetState have, NamedSet want) {
    // the kernel lists most elements in the very text the renderer wrote; when every text is the
    // same, their canonical forms are too, and nothing differs: a verify of a table that holds
    // what is wanted then makes no canonical copy of each side (2 x 100k strings at 100k tuples)
    if (sameTexts(have.elements(), want.elements())) {
      return NO_CHANGE;
    }
    String type = want.type();
    Map<String, String> kernel = new HashMap<>(have.elements().size() * 2);
    for (String e : have.elements()) {
      kernel.put(ElementText.canonical(type, want.map(), e), e);
    }
    Set<String> wanted = new HashSet<>(want.elements().size() * 2);
    List<String> missing = new ArrayList<>();
    for (String e : want.elements()) {
      String c = ElementText.canonical(type, want.map(), e);
      wanted.add(c);
      if (!kernel.containsKey(c)) {
        missing.add(e);
      }
    }
    List<String> surplus = new ArrayList<>();
    kernel.forEach((c, e) -> {
      if (!wanted.contains(c)) {
        surplus.add(e);
      }
    });
    surplus.sort(null);
    return new ElementChange(missing, surplus);
  }

  /** Both hold the same texts; compared in step when both are in natural order, else not at all (false). */
  static boolean sameTexts(SortedSet<String> have, SortedSet<String> want) {
    if (have.size() != want.size() || have.comparator() != null || want.comparator() != null) {
      return false;
    }
    Iterator<String> a = have.iterator();
    for (String b : want) {
      if (!a.next().equals(b)) {
        return false;
      }
    }
    return true;
  }

  private static boolean sameType(SetState have, NamedSet want) {
    Set<String> flags = new HashSet<>(have.flags());
    return have.map() == want.map() && collapse(have.type()).equals(collapse(want.type()))
        && flags.equals(Set.copyOf(DesiredRuleset.flags(want)));
  }

  private static boolean sameHook(Optional<Hook> have, Chain want) {
    Optional<BaseHook> base = RulesetDiff.declare(want).base();
    if (have.isEmpty() || base.isEmpty()) {
      return have.isEmpty() && base.isEmpty();
    }
    Hook h = have.get();
    BaseHook b = base.get();
    return h.type().equals(b.type()) && h.hook().equals(b.hook()) && h.policy().equals(b.policy())
        && priority(b.priority()).filter(p -> p == h.priority()).isPresent();
  }

  /** A priority as written ({@code filter}, {@code filter + 10}, {@code -5}) to the number the kernel lists. */
  static Optional<Integer> priority(String text) {
    String t = text.replace(" ", "");
    int sign = Math.max(t.indexOf('+', 1), t.indexOf('-', 1));
    String name = sign > 0 ? t.substring(0, sign) : t;
    int offset = 0;
    try {
      if (sign > 0) {
        offset = Integer.parseInt(t.substring(sign));
      }
      Integer base = TableState.priorityNames().get(name);
      return Optional.of(base != null ? base + offset : Integer.parseInt(name) + offset);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static String collapse(String s) {
    return s.strip().replaceAll("\\s+", " ");
  }
}
