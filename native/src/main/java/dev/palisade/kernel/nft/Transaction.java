package dev.palisade.kernel.nft;

import dev.palisade.kernel.nft.NftObject.Chain;
import dev.palisade.kernel.nft.NftObject.Element;
import dev.palisade.kernel.nft.NftObject.NftMap;
import dev.palisade.kernel.nft.NftObject.NftSet;
import dev.palisade.kernel.nft.NftObject.Rule;
import dev.palisade.kernel.nft.NftObject.Table;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An ordered list of operations on one table, applied all-or-nothing by {@link Nftables#run}.
 * {@link #toString()} is exactly the text handed to nft (one kernel transaction), so a golden file
 * or a log line shows precisely what was applied.
 *
 * <p>Operations are checked as they are added; the first invalid one is kept and
 * {@link Nftables#run} throws it without sending anything, so a builder chain needs no error
 * handling at every step (the knftables style).
 *
 * <p>nft 1.0.6 (Debian 12) has no {@code destroy} command. {@link #destroy} is written as
 * {@code add} followed by {@code delete} (a chain is flushed between them), which in one
 * transaction means "delete if present" and never fails for absence. Runs of element operations
 * on the same set are written as one {@code { a, b, ... }} line: 100k elements parse as one
 * statement instead of 100k.
 */
public final class Transaction {
  private static final Set<String> FAMILIES = Set.of("ip", "ip6", "inet", "arp", "bridge", "netdev");
  private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,62}");
  /** Words nft's scanner reads as keywords: a bare object name equal to one is a syntax error. */
  private static final Set<String> KEYWORDS = Set.of("fwd", "counter", "accept", "drop", "log", "ip", "ip6", "tcp",
      "udp", "sctp", "icmp", "meta", "ct", "set", "map", "table", "chain", "rule", "element", "type", "hook",
      "priority", "policy", "handle", "comment", "limit", "reject", "queue", "vmap", "jump", "goto", "return",
      "continue", "inet", "ether", "arp", "vlan", "dnat", "snat", "masquerade", "redirect", "mark", "flags",
      "timeout", "size", "elements", "quota", "secmark", "synproxy", "fib", "rt", "exthdr", "numgen", "notrack",
      "flow", "offload", "add", "delete", "insert", "replace", "create", "flush", "list", "index", "position",
      "interval", "constant", "dynamic", "bridge", "netdev", "define", "include", "th", "reset", "monitor");
  /** Characters that would end or comment out a statement: the text must stay one command per op. */
  private static final Pattern UNSAFE = Pattern.compile("[;#\\n\\r\\x00]");

  public record Op(Verb verb, NftObject object) {}

  private final String family;
  private final String table;
  private final List<Op> ops = new ArrayList<>();
  private NftException error;

  public Transaction(String family, String table) {
    this.family = family;
    this.table = table;
    if (!FAMILIES.contains(family)) {
      fail("unknown family '" + family + "' (one of " + FAMILIES + ")");
    }
    checkName("table", table);
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
    String problem = check(verb, o);
    if (problem != null) {
      fail("operation " + (ops.size() + 1) + " (" + verb.word() + " " + kind(o) + "): " + problem);
    }
    ops.add(new Op(verb, o));
    return this;
  }

  private void fail(String message) {
    if (error == null) {
      error = NftException.invalid(message);
    }
  }

  private void checkName(String what, String name) {
    String p = nameProblem(what, name);
    if (p != null) {
      fail(p);
    }
  }

  private static String nameProblem(String what, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      return what + " name '" + name + "' must be a letter then letters, digits or _ (at most 63)";
    }
    if (KEYWORDS.contains(name)) {
      return what + " name '" + name + "' is an nft keyword";
    }
    return null;
  }

  private static String textProblem(String what, String text) {
    if (text == null || text.isBlank()) {
      return what + " is empty";
    }
    if (UNSAFE.matcher(text).find()) {
      return what + " '" + text + "' contains ';', '#' or a line break, which would end the statement";
    }
    return null;
  }

  private static String commentProblem(Optional<String> c) {
    if (c.isPresent() && (c.get().contains("\"") || UNSAFE.matcher(c.get()).find() || c.get().length() > 128)) {
      return "comment must be at most 128 characters without quotes, ';', '#' or line breaks";
    }
    return null;
  }

  private static String kind(NftObject o) {
    if (o instanceof Table) {
      return "table";
    } else if (o instanceof Chain) {
      return "chain";
    } else if (o instanceof Rule) {
      return "rule";
    } else if (o instanceof NftSet) {
      return "set";
    } else if (o instanceof NftMap) {
      return "map";
    }
    return "element";
  }

  private static String check(Verb verb, NftObject o) {
    if (o instanceof Table t) {
      return verb == Verb.INSERT || verb == Verb.REPLACE ? "cannot " + verb.word() + " a table"
          : commentProblem(t.comment());
    }
    if (o instanceof Chain c) {
      String p = nameProblem("chain", c.name());
      if (p != null) {
        return p;
      }
      if (verb == Verb.INSERT || verb == Verb.REPLACE) {
        return "cannot " + verb.word() + " a chain";
      }
      if (c.base().isPresent()) {
        var b = c.base().get();
        for (String s : List.of(b.type(), b.hook(), b.priority(), b.policy())) {
          String tp = textProblem("base chain setting", s);
          if (tp != null) {
            return tp;
          }
          if (s.contains("{") || s.contains("}")) {
            return "base chain setting '" + s + "' contains a brace";
          }
        }
      }
      return commentProblem(c.comment());
    }
    if (o instanceof Rule r) {
      String p = nameProblem("chain", r.chain());
      if (p != null) {
        return p;
      }
      switch (verb) {
        case CREATE:
        case FLUSH:
          return "cannot " + verb.word() + " a rule; flush its chain";
        case DESTROY:
          return "destroy rule needs nft >= 1.0.8; delete it by handle";
        case DELETE:
          return r.handle().isEmpty() ? "delete rule needs the rule's handle" : null;
        case REPLACE:
          return r.handle().isEmpty() ? "replace rule needs the rule's handle" : ruleTextProblem(r);
        default:
          return ruleTextProblem(r);
      }
    }
    if (o instanceof NftSet s) {
      String p = nameProblem("set", s.name());
      if (p != null) {
        return p;
      }
      if (verb == Verb.INSERT || verb == Verb.REPLACE) {
        return "cannot " + verb.word() + " a set";
      }
      if (verb == Verb.ADD || verb == Verb.CREATE || verb == Verb.DESTROY) {
        String tp = textProblem("set type", s.type());
        if (tp != null) {
          return tp;
        }
      }
      return flagsProblem(s.flags(), s.comment());
    }
    if (o instanceof NftMap m) {
      String p = nameProblem("map", m.name());
      if (p != null) {
        return p;
      }
      if (verb == Verb.INSERT || verb == Verb.REPLACE) {
        return "cannot " + verb.word() + " a map";
      }
      if (verb == Verb.ADD || verb == Verb.CREATE || verb == Verb.DESTROY) {
        String tp = textProblem("map key type", m.keyType());
        if (tp == null) {
          tp = textProblem("map value type", m.valueType());
        }
        if (tp != null) {
          return tp;
        }
      }
      return flagsProblem(m.flags(), m.comment());
    }
    Element e = (Element) o;
    String p = nameProblem("set", e.setName());
    if (p != null) {
      return p;
    }
    if (verb == Verb.INSERT || verb == Verb.REPLACE || verb == Verb.FLUSH) {
      return "cannot " + verb.word() + " an element; flush its set";
    }
    String kp = elementProblem("element key", e.key());
    if (kp != null) {
      return kp;
    }
    return e.value().isPresent() ? elementProblem("element value", e.value().get()) : null;
  }

  private static String ruleTextProblem(Rule r) {
    String tp = textProblem("rule text", r.rule());
    return tp != null ? tp : commentProblem(r.comment());
  }

  private static String elementProblem(String what, String text) {
    String tp = textProblem(what, text);
    if (tp != null) {
      return tp;
    }
    if (text.contains(",") || text.contains("{") || text.contains("}")) {
      return what + " '" + text + "' contains ',' or a brace: one element per operation";
    }
    return null;
  }

  private static String flagsProblem(List<String> flags, Optional<String> comment) {
    for (String f : flags) {
      if (!f.matches("[a-z]+")) {
        return "set flag '" + f + "' must be a lower-case word";
      }
    }
    return commentProblem(comment);
  }

  /** The transaction as nft reads it: one command per line, element runs merged. */
  @Override
  public String toString() {
    return render(null);
  }

  /** For each operation, the 1-based line of {@link #toString()} that carries it. */
  int[] lineOfOps() {
    int[] lines = new int[ops.size()];
    render(lines);
    return lines;
  }

  private String render(int[] lineOfOp) {
    StringBuilder sb = new StringBuilder(ops.size() * 24 + 64);
    int line = 1;
    int scanned = 0;
    int i = 0;
    while (i < ops.size()) {
      Op op = ops.get(i);
      if (lineOfOp != null) {
        lineOfOp[i] = line;
      }
      if (op.object() instanceof Element first) {
        int j = i;
        List<Element> run = new ArrayList<>();
        while (j < ops.size() && ops.get(j).verb() == op.verb() && ops.get(j).object() instanceof Element e
            && e.setName().equals(first.setName())) {
          run.add(e);
          if (lineOfOp != null) {
            lineOfOp[j] = line;
          }
          j++;
        }
        writeElements(sb, op.verb(), first.setName(), run);
        i = j;
      } else {
        write(sb, op.verb(), op.object());
        i++;
      }
      if (lineOfOp != null) {
        for (; scanned < sb.length(); scanned++) {
          if (sb.charAt(scanned) == '\n') {
            line++;
          }
        }
      }
    }
    return sb.toString();
  }

  private String prefix(String verb, String what) {
    return verb + " " + what + " " + family + " " + table;
  }

  private void writeElements(StringBuilder sb, Verb verb, String set, List<Element> run) {
    if (verb == Verb.DESTROY) {
      writeElementLine(sb, "add", set, run, true);
      writeElementLine(sb, "delete", set, run, false);
    } else {
      writeElementLine(sb, verb.word(), set, run, verb != Verb.DELETE);
    }
  }

  private void writeElementLine(StringBuilder sb, String verb, String set, List<Element> run, boolean withValues) {
    sb.append(prefix(verb, "element")).append(' ').append(set).append(" { ");
    boolean firstEl = true;
    for (Element e : run) {
      if (!firstEl) {
        sb.append(", ");
      }
      firstEl = false;
      sb.append(e.key());
      if (withValues && e.value().isPresent()) {
        sb.append(" : ").append(e.value().get());
      }
    }
    sb.append(" }\n");
  }

  private void write(StringBuilder sb, Verb verb, NftObject o) {
    if (o instanceof Table t) {
      if (verb == Verb.DESTROY) {
        sb.append(prefix("add", "table")).append('\n');
        sb.append(prefix("delete", "table")).append('\n');
        return;
      }
      sb.append(prefix(verb.word(), "table"));
      if ((verb == Verb.ADD || verb == Verb.CREATE) && t.comment().isPresent()) {
        sb.append(" { comment \"").append(t.comment().get()).append("\" ; }");
      }
      sb.append('\n');
    } else if (o instanceof Chain c) {
      String head = " " + c.name();
      if (verb == Verb.DESTROY) {
        sb.append(prefix("add", "chain")).append(head).append('\n');
        sb.append(prefix("flush", "chain")).append(head).append('\n');
        sb.append(prefix("delete", "chain")).append(head).append('\n');
        return;
      }
      sb.append(prefix(verb.word(), "chain")).append(head);
      if ((verb == Verb.ADD || verb == Verb.CREATE) && (c.base().isPresent() || c.comment().isPresent())) {
        sb.append(" {");
        c.base().ifPresent(b -> sb.append(" type ").append(b.type()).append(" hook ").append(b.hook())
            .append(" priority ").append(b.priority()).append(" ; policy ").append(b.policy()).append(" ;"));
        c.comment().ifPresent(cm -> sb.append(" comment \"").append(cm).append("\" ;"));
        sb.append(" }");
      }
      sb.append('\n');
    } else if (o instanceof Rule r) {
      sb.append(prefix(verb.word(), "rule")).append(' ').append(r.chain());
      if (verb == Verb.DELETE || verb == Verb.REPLACE) {
        sb.append(" handle ").append(r.handle().orElseThrow());
      } else {
        r.handle().ifPresent(h -> sb.append(" position ").append(h));
      }
      if (verb != Verb.DELETE) {
        sb.append(' ').append(r.rule());
        r.comment().ifPresent(cm -> sb.append(" comment \"").append(cm).append('"'));
      }
      sb.append('\n');
    } else if (o instanceof NftSet s) {
      writeSet(sb, verb, "set", s.name(), s.type(), s.flags(), s.comment());
    } else if (o instanceof NftMap m) {
      writeSet(sb, verb, "map", m.name(), m.keyType() + " : " + m.valueType(), m.flags(), m.comment());
    } else {
      throw new IllegalStateException("elements are written in runs");
    }
  }

  private void writeSet(StringBuilder sb, Verb verb, String what, String name, String type, List<String> flags,
      Optional<String> comment) {
    if (verb == Verb.DESTROY) {
      writeSetDefinition(sb, "add", what, name, type, flags, comment);
      sb.append(prefix("delete", what)).append(' ').append(name).append('\n');
    } else if (verb == Verb.ADD || verb == Verb.CREATE) {
      writeSetDefinition(sb, verb.word(), what, name, type, flags, comment);
    } else {
      sb.append(prefix(verb.word(), what)).append(' ').append(name).append('\n');
    }
  }

  private void writeSetDefinition(StringBuilder sb, String verb, String what, String name, String type,
      List<String> flags, Optional<String> comment) {
    sb.append(prefix(verb, what)).append(' ').append(name).append(" { type ").append(type).append(" ;");
    if (!flags.isEmpty()) {
      sb.append(" flags ").append(String.join(",", flags)).append(" ;");
    }
    comment.ifPresent(cm -> sb.append(" comment \"").append(cm).append("\" ;"));
    sb.append(" }\n");
  }
}
