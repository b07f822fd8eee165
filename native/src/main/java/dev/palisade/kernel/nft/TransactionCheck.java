package dev.palisade.kernel.nft;

import dev.palisade.kernel.nft.NftObject.Chain;
import dev.palisade.kernel.nft.NftObject.Element;
import dev.palisade.kernel.nft.NftObject.NftMap;
import dev.palisade.kernel.nft.NftObject.NftSet;
import dev.palisade.kernel.nft.NftObject.Rule;
import dev.palisade.kernel.nft.NftObject.Table;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What {@link Transaction} refuses before nft sees it: names nft would not read as names (or would
 * read as keywords), text that would end the statement it is written into and so smuggle in
 * another, and verbs an object does not take. Each check returns the problem as a sentence, or
 * null when there is none.
 */
final class TransactionCheck {
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

  private TransactionCheck() {}

  /** The problem with a transaction's family and table name, or null. */
  static String tableProblem(String family, String table) {
    if (!FAMILIES.contains(family)) {
      return "unknown family '" + family + "' (one of " + FAMILIES + ")";
    }
    return nameProblem("table", table);
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

  static String kind(NftObject o) {
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

  /** The problem with {@code verb} on {@code o}, or null. */
  static String problem(Verb verb, NftObject o) {
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
      return setLikeProblem("set", s.name(), verb, s.flags(), s.comment(), "set type", s.type());
    }
    if (o instanceof NftMap m) {
      return setLikeProblem("map", m.name(), verb, m.flags(), m.comment(), "map key type", m.keyType(),
          "map value type", m.valueType());
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

  /**
   * A set's or a map's problem: its name, a verb that cannot apply to it, its types (named, then
   * given, in pairs) where the verb declares it, then its flags and comment.
   */
  private static String setLikeProblem(String kind, String name, Verb verb, List<String> flags,
      Optional<String> comment, String... typeFields) {
    String p = nameProblem(kind, name);
    if (p != null) {
      return p;
    }
    if (verb == Verb.INSERT || verb == Verb.REPLACE) {
      return "cannot " + verb.word() + " a " + kind;
    }
    if (verb == Verb.ADD || verb == Verb.CREATE || verb == Verb.DESTROY) {
      for (int i = 0; i < typeFields.length; i += 2) {
        String tp = textProblem(typeFields[i], typeFields[i + 1]);
        if (tp != null) {
          return tp;
        }
      }
    }
    return flagsProblem(flags, comment);
  }
}
