package dev.palisade.kernel.nft;

import dev.palisade.kernel.nft.TableState.ChainState;
import dev.palisade.kernel.nft.TableState.Hook;
import dev.palisade.kernel.nft.TableState.RuleState;
import dev.palisade.kernel.nft.TableState.SetState;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads nft's JSON listing (schema 1, nft 1.0.x) into {@link TableState}. The listing is read
 * token by token ({@link NftListingReader}): a table of 100k elements parsed as one tree held
 * about 400 bytes per element (an object, an array and a node per part) while it was read, once
 * a minute, and the agent's heap kept that room committed. The small objects (chains, rules, a
 * set's name, type and flags) are still read as trees and turned into values by the rules below,
 * which are those the whole-tree reader applied, so both read every listing alike.
 */
final class NftJson {
  static final JsonMapper MAPPER = JsonMapper.builder().build();

  private NftJson() {}

  /**
   * The table in {@code json}.
   *
   * @throws IllegalStateException naming the table and where the text stops being a listing, when
   *     it is not JSON; the caller cannot tell what the table holds, so it must not take it as fine
   */
  static TableState parseTable(String json, String family, String table) {
    try (JsonParser p = MAPPER.createParser(json)) {
      return read(p, family, table);
    }
  }

  /** The table in UTF-8 JSON read from {@code in} (nft's output buffer, not copied into a String). */
  static TableState parseTable(InputStream in, String family, String table) {
    try (JsonParser p = MAPPER.createParser(in)) {
      return read(p, family, table);
    }
  }

  private static TableState read(JsonParser p, String family, String table) {
    try {
      return new NftListingReader(p).read(family, table);
    } catch (JacksonException e) {
      throw unreadable(family, table, e.getOriginalMessage() + " (at " + location(e) + ")", e);
    } catch (IllegalStateException e) {
      throw unreadable(family, table, e.getMessage(), e);
    }
  }

  private static IllegalStateException unreadable(String family, String table, String why, RuntimeException e) {
    return new IllegalStateException("cannot read nft's JSON listing of table " + family + " " + table + ": " + why, e);
  }

  private static String location(JacksonException e) {
    return e.getLocation() == null ? "an unknown place"
        : "line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
  }

  /** A {@code chain} object into {@code chains} (rules are attached when the listing is done). */
  static void chain(JsonNode c, Map<String, ChainState> chains) {
    Optional<Hook> hook = c.has("hook")
        ? Optional.of(new Hook(c.path("type").asString(), c.path("hook").asString(), c.path("prio").asInt(),
            c.path("policy").asString("accept")))
        : Optional.empty();
    String name = c.path("name").asString();
    chains.put(name, new ChainState(name, c.path("handle").asLong(), hook, List.of()));
  }

  /** A {@code rule} object onto its chain's list, in listing order. */
  static void rule(JsonNode r, Map<String, List<RuleState>> rules) {
    rules.computeIfAbsent(r.path("chain").asString(), k -> new ArrayList<>())
        .add(new RuleState(r.path("handle").asLong(),
            r.has("comment") ? Optional.of(r.get("comment").asString()) : Optional.empty()));
  }

  /**
   * A set or map from its {@code name}, {@code type}, {@code map} and {@code flags} (in
   * {@code head}) and its elements as read.
   */
  static SetState set(JsonNode head, boolean map, List<String> elements) {
    String type = typeText(head.path("type"));
    if (map) {
      type = type + " : " + typeText(head.path("map"));
    }
    List<String> flags = new ArrayList<>();
    for (JsonNode f : head.path("flags")) {
      flags.add(f.asString());
    }
    return new SetState(head.path("name").asString(), map, type, List.copyOf(flags), SortedElements.of(elements));
  }

  /** A {@code set} or {@code map} that is not an object: whatever it holds, read as a tree. */
  static SetState set(JsonNode s, boolean map) {
    List<String> elements = new ArrayList<>();
    for (JsonNode e : s.path("elem")) {
      elements.add(map && e.isArray() ? value(e.get(0)) + " : " + value(e.get(1)) : value(e));
    }
    return set(s, map, elements);
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
  static String value(JsonNode v) {
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

  /** The value of an object whose one field is {@code key}: {@link #value(JsonNode)}'s rule for that key. */
  static String keyed(String key, JsonNode inner) {
    ObjectNode o = MAPPER.createObjectNode();
    o.set(key, inner);
    return value(o);
  }
}
