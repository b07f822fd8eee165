package dev.palisade.kernel.nft;

import dev.palisade.kernel.nft.TableState.ChainState;
import dev.palisade.kernel.nft.TableState.RuleState;
import dev.palisade.kernel.nft.TableState.SetState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;
import tools.jackson.databind.node.NullNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads one nft JSON listing token by token: each set element becomes its text in one reused
 * buffer, and nothing else of it is kept; chains, rules and a set's header are small and are read
 * as trees for {@link NftJson}'s rules. Where a value's shape is not one nft writes (several keys
 * in one object, a key nft does not use, a float), the part is read as a tree and given to the
 * same rules, so this reader and a whole-tree reader agree on every listing (NftJsonStreamingTest
 * compares them). One instance reads one listing; not thread-safe.
 */
final class NftListingReader {
  /** The keys {@link NftJson#value} looks for in an object, first to last: the first present wins. */
  private static final List<String> KEYS = List.of("elem", "val", "concat", "prefix", "range", "jump", "goto",
      "accept", "drop", "continue", "return");
  private static final int NONE = Integer.MAX_VALUE;

  private final JsonParser p;
  private final StringBuilder text = new StringBuilder(64);
  private Map<String, ChainState> chains = new LinkedHashMap<>();
  private Map<String, List<RuleState>> rules = new LinkedHashMap<>();
  private TreeMap<String, SetState> sets = new TreeMap<>();

  NftListingReader(JsonParser p) {
    this.p = p;
  }

  /** The listing's table; a listing without an {@code nftables} array is a table with nothing in it. */
  TableState read(String family, String table) {
    JsonToken t = p.nextToken();
    if (t == JsonToken.START_OBJECT) {
      while (p.nextToken() == JsonToken.PROPERTY_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (name.equals("nftables")) {
          chains = new LinkedHashMap<>(); // a repeated key: the last one counts, as in a tree
          rules = new LinkedHashMap<>();
          sets = new TreeMap<>();
          items(v);
        } else {
          p.skipChildren();
        }
      }
    } else if (t != null) {
      p.skipChildren();
    }
    if (t != null && p.nextToken() != null) {
      throw new IllegalStateException("text after the listing's end (" + p.currentToken() + ")");
    }
    TreeMap<String, ChainState> done = new TreeMap<>();
    chains.forEach((name, c) -> done.put(name,
        new ChainState(name, c.handle(), c.hook(), List.copyOf(rules.getOrDefault(name, List.of())))));
    return new TableState(family, table, done, sets);
  }

  /** The listing's items: an array's entries, or an object's values. */
  private void items(JsonToken container) {
    if (container == JsonToken.START_ARRAY) {
      for (JsonToken t = next(); t != JsonToken.END_ARRAY; t = next()) {
        item(t);
      }
    } else if (container == JsonToken.START_OBJECT) {
      while (p.nextToken() == JsonToken.PROPERTY_NAME) {
        item(p.nextToken());
      }
    } else {
      p.skipChildren();
    }
  }

  /** One item: a chain, else a rule, else a map, else a set; anything else is skipped. */
  private void item(JsonToken t) {
    if (t != JsonToken.START_OBJECT) {
      p.skipChildren();
      return;
    }
    JsonNode chain = null;
    JsonNode rule = null;
    SetState set = null;
    SetState map = null;
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      switch (name) {
        case "chain" -> chain = tree();
        case "rule" -> rule = tree();
        case "set" -> set = set(v, false);
        case "map" -> map = set(v, true);
        default -> p.skipChildren();
      }
    }
    if (chain != null) {
      NftJson.chain(chain, chains);
    } else if (rule != null) {
      NftJson.rule(rule, rules);
    } else if (map != null || set != null) {
      SetState s = map != null ? map : set;
      sets.put(s.name(), s);
    }
  }

  private SetState set(JsonToken t, boolean map) {
    if (t != JsonToken.START_OBJECT) {
      return NftJson.set(tree(), map);
    }
    ObjectNode head = NftJson.MAPPER.createObjectNode();
    List<String> elements = List.of();
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      switch (name) {
        case "elem" -> elements = elements(v, map);
        case "name", "type", "map", "flags" -> head.set(name, tree());
        default -> p.skipChildren();
      }
    }
    return NftJson.set(head, map, elements);
  }

  /** The elements: an array's entries, or an object's values (as iterating a tree node gives them). */
  private List<String> elements(JsonToken container, boolean map) {
    List<String> out = new ArrayList<>();
    if (container == JsonToken.START_ARRAY) {
      for (JsonToken t = next(); t != JsonToken.END_ARRAY; t = next()) {
        out.add(element(t, map));
      }
    } else if (container == JsonToken.START_OBJECT) {
      while (p.nextToken() == JsonToken.PROPERTY_NAME) {
        out.add(element(p.nextToken(), map));
      }
    } else {
      p.skipChildren();
    }
    return out;
  }

  /** One element's text; a map's {@code [key, value]} pair is {@code key : value}. */
  private String element(JsonToken t, boolean map) {
    text.setLength(0);
    if (map && t == JsonToken.START_ARRAY) {
      JsonToken k = next();
      if (k != JsonToken.END_ARRAY) {
        value(k);
      }
      text.append(" : ");
      if (k != JsonToken.END_ARRAY) {
        JsonToken v = next();
        if (v != JsonToken.END_ARRAY) {
          value(v);
          while (next() != JsonToken.END_ARRAY) {
            p.skipChildren();
          }
        }
      }
    } else {
      value(t);
    }
    return text.toString();
  }

  /** Appends the value that starts at {@code t} as nft's text syntax writes it ({@link NftJson#value}). */
  private void value(JsonToken t) {
    switch (t) {
      case VALUE_STRING -> text.append(p.getStringCharacters(), p.getStringOffset(), p.getStringLength());
      case VALUE_NUMBER_INT -> {
        switch (p.getNumberType()) {
          case INT -> text.append(p.getIntValue());
          case LONG -> text.append(p.getLongValue());
          default -> text.append(p.getBigIntegerValue());
        }
      }
      case VALUE_NULL -> { }
      case START_ARRAY -> {
        boolean first = true;
        for (JsonToken i = next(); i != JsonToken.END_ARRAY; i = next()) {
          if (!first) {
            text.append(" . ");
          }
          first = false;
          value(i);
        }
      }
      case START_OBJECT -> object();
      default -> text.append(NftJson.value(tree())); // a float, true, false: as the tree's node writes it
    }
  }

  /**
   * An object's value: that of the first of {@link #KEYS} it holds (the last one, if a key is
   * repeated), else the object's JSON. Each key's text is appended where it stands and cut again
   * when a key that comes first in {@link #KEYS} follows.
   */
  private void object() {
    int start = text.length();
    int best = NONE;
    ObjectNode others = null;
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      int rank = KEYS.indexOf(name);
      if (rank < 0) {
        if (best == NONE) {
          others = others == null ? NftJson.MAPPER.createObjectNode() : others;
          others.set(name, tree());
        } else {
          p.skipChildren();
        }
        continue;
      }
      boolean keep = rank <= best;
      int mark = keep ? start : text.length();
      text.setLength(mark);
      keyed(name, v);
      if (keep) {
        best = rank;
      } else {
        text.setLength(mark); // a key that ranks after the one kept: read past, not kept
      }
    }
    if (best == NONE) {
      text.append(others == null ? NftJson.MAPPER.createObjectNode().toString() : others.toString());
    }
  }

  /** Appends the value of one field of an object, by the rule for its key. */
  private void keyed(String key, JsonToken v) {
    switch (key) {
      case "elem" -> elem(v);
      case "val", "concat" -> value(v);
      case "accept", "drop", "continue", "return" -> {
        p.skipChildren();
        text.append(key);
      }
      default -> text.append(NftJson.keyed(key, tree())); // prefix, range, jump, goto: small
    }
  }

  /** {@code {"elem": {"val": ..., "counter": ..., "timeout": ...}}}: the value of {@code val}. */
  private void elem(JsonToken v) {
    int start = text.length();
    boolean found = false;
    if (v == JsonToken.START_OBJECT) {
      while (p.nextToken() == JsonToken.PROPERTY_NAME) {
        String name = p.currentName();
        JsonToken inner = p.nextToken();
        if (name.equals("val")) {
          text.setLength(start);
          value(inner);
          found = true;
        } else {
          p.skipChildren();
        }
      }
    } else {
      p.skipChildren();
    }
    if (!found) {
      text.append(NftJson.value(MissingNode.getInstance()));
    }
  }

  /** The next token inside an array, which the listing must not end in (the parser says so too, this is a backstop). */
  private JsonToken next() {
    JsonToken t = p.nextToken();
    if (t == null) {
      throw new IllegalStateException("the listing ends inside an array");
    }
    return t;
  }

  /** The value at the current token as a tree (a JSON null as a null node). */
  private JsonNode tree() {
    JsonNode n = p.readValueAsTree();
    return n == null ? NullNode.getInstance() : n;
  }
}
