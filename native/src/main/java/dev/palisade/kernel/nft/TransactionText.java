package dev.palisade.kernel.nft;

import dev.palisade.kernel.nft.NftObject.Chain;
import dev.palisade.kernel.nft.NftObject.Element;
import dev.palisade.kernel.nft.NftObject.NftMap;
import dev.palisade.kernel.nft.NftObject.NftSet;
import dev.palisade.kernel.nft.NftObject.Rule;
import dev.palisade.kernel.nft.NftObject.Table;
import dev.palisade.kernel.nft.Transaction.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@link Transaction} as the text nft reads: one command per line, a {@code destroy} as the
 * commands that mean "delete if present" on nft 1.0.6, and each run of element operations on one
 * set as one {@code { a, b, ... }} line.
 */
final class TransactionText {
  private final String family;
  private final String table;

  private TransactionText(String family, String table) {
    this.family = family;
    this.table = table;
  }

  /**
   * The text of {@code ops} on one table.
   *
   * @param lineOfOp null, or filled with the 1-based line that carries each operation
   */
  static String render(String family, String table, List<Op> ops, int[] lineOfOp) {
    return new TransactionText(family, table).render(ops, lineOfOp);
  }

  private String render(List<Op> ops, int[] lineOfOp) {
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
