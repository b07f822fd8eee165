package dev.palisade.kernel.nft;

import dev.palisade.kernel.nft.TableState.ChainState;
import dev.palisade.kernel.nft.TableState.Hook;
import dev.palisade.kernel.nft.TableState.RuleState;
import dev.palisade.kernel.nft.TableState.SetState;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.MissingNode;

/**
 * Reads nft's JSON listing (schema 1, nft 1.0.x) into {@link TableState}, as one tree. The agent
 * reads its table over netlink ({@link NetlinkTableReader}); this reader is the independent
 * second opinion that reader is checked against (NetlinkReaderContractIT) and the JSON side of the
 * table-read memory bench, so it is kept plain rather than lean: a listing of 100k elements held
 * as a tree costs some 40 MB while it is read, beside libnftables' own cache of ~200 MB.
 */
final class NftJson {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private NftJson() {}

  /**
   * The table in {@code json}; a listing without an {@code nftables} array is a table with
   * nothing in it.
   *
   * @throws IllegalStateException naming the table and where the text stops being a listing, when
   *     it is not JSON; the caller cannot tell what the table holds, so it must not take it as fine
   */
  static TableState parseTable(String json, String family, String table) {
    try {
      return read(MAPPER.readTree(json), family, table);
    } catch (JacksonException e) {
      throw unreadable(family, table, e);
    }
  }

  /** The table in UTF-8 JSON read from {@code in} (nft's output buffer, not copied into a String). */
  static TableState parseTable(InputStream in, String family, String table) {
    try {
      return read(MAPPER.readTree(in), family, table);
    } catch (JacksonException e) {
      throw unreadable(family, table, e);
    }
  }

  private static TableState read(JsonNode root, String family, String table) {
    Map<String, ChainState> chains = new LinkedHashMap<>();
    Map<String, List<RuleState>> rules = new LinkedHashMap<>();
    TreeMap<String, SetState> sets = new TreeMap<>();
    for (JsonNode item : root == null ? MissingNode.getInstance() : root.path("nftables")) {
      if (item.has("chain")) {
        chain(item.get("chain"), chains);
      } else if (item.has("rule")) {
        JsonNode r = item.get("rule");
        rules.computeIfAbsent(r.path("chain").asString(), k -> new ArrayList<>())
            .add(new RuleState(r.path("handle").asLong(),
                r.has("comment") ? Optional.of(r.get("comment").asString()) : Optional.empty()));
      } else if (item.has("set") || item.has("map")) {
        boolean map = item.has("map");
        SetState s = set(map ? item.get("map") : item.get("set"), map);
        sets.put(s.name(), s);
      }
    }
    TreeMap<String, ChainState> done = new TreeMap<>();
    chains.forEach((name, c) -> done.put(name,
        new ChainState(name, c.handle(), c.hook(), List.copyOf(rules.getOrDefault(name, List.of())))));
    return new TableState(family, table, done, sets);
  }

  private static IllegalStateException unreadable(String family, String table, JacksonException e) {
    String at = e.getLocation() == null ? "an unknown place"
        : "line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
    return new IllegalStateException("cannot read nft's JSON listing of table " + family + " " + table + ": "
        + e.getOriginalMessage() + " (at " + at + ")", e);
  }

  /** A {@code chain} object into {@code chains} (rules are attached when the listing is done). */
  private static void chain(JsonNode c, Map<String, ChainState> chains) {
    Optional<Hook> hook = c.has("hook")
        ? Optional.of(new Hook(c.path("type").asString(), c.path("hook").asString(), c.path("prio").asInt(),
            c.path("policy").asString("accept")))
        : Optional.empty();
    String name = c.path("name").asString();
    chains.put(name, new ChainState(name, c.path("handle").asLong(), hook, List.of()));
  }

  /** A set or map: its {@code name}, {@code type}, {@code map}, {@code flags} and {@code elem}. */
  private static SetState set(JsonNode s, boolean map) {
    String type = typeText(s.path("type"));
    if (map) {
      type = type + " : " + typeText(s.path("map"));
    }
    List<String> flags = new ArrayList<>();
    for (JsonNode f : s.path("flags")) {
      flags.add(f.asString());
    }
    List<String> elements = new ArrayList<>();
    for (JsonNode e : s.path("elem")) {
      elements.add(map && e.isArray() ? value(e.get(0)) + " : " + value(e.get(1)) : value(e));
    }
    return new SetState(s.path("name").asString(), map, type, List.copyOf(flags), SortedElements.of(elements));
  }

  private static String typeText(JsonNode t) {
    if (t.isArray()) {
      List<String> parts = new ArrayList<>();
      t.forEach(p -> parts.add(p.asString()));
      return String.join(" . ", parts);
    }
    return t.asString();
  }

  /** One value as nft's text syntax writes it. */
  private static String value(JsonNode v) {
    if (v == null || v.isNull()) {
      return "";
    }
    if (v.isString() || v.isNumber()) {
      return v.asString();
    }
    if (v.isArray()) {
      List<String> parts = new ArrayList<>();
      v.forEach(p -> parts.add(value(p)));
      return String.join(" . ", parts);
    }
    if (v.has("elem")) {
      return value(v.get("elem").path("val"));
    }
    if (v.has("val")) {
      return value(v.get("val"));
    }
    if (v.has("concat")) {
      return value(v.get("concat"));
    }
    if (v.has("prefix")) {
      return value(v.get("prefix").path("addr")) + "/" + v.get("prefix").path("len").asInt();
    }
    if (v.has("range")) {
      return value(v.get("range").get(0)) + "-" + value(v.get("range").get(1));
    }
    for (String verdict : List.of("jump", "goto")) {
      if (v.has(verdict)) {
        return verdict + " " + v.get(verdict).path("target").asString();
      }
    }
    for (String verdict : List.of("accept", "drop", "continue", "return")) {
      if (v.has(verdict)) {
        return verdict;
      }
    }
    return v.toString();
  }
}
