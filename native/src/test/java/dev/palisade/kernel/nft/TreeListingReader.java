package dev.palisade.kernel.nft;

import dev.palisade.kernel.nft.TableState.ChainState;
import dev.palisade.kernel.nft.TableState.Hook;
import dev.palisade.kernel.nft.TableState.RuleState;
import dev.palisade.kernel.nft.TableState.SetState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole-tree reader NftJson was before it read token by token (kept verbatim): the reference
 * NftJsonStreamingTest compares the streaming reader with.
 */
final class TreeListingReader {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private TreeListingReader() {}

  static TableState parseTable(String json, String family, String table) {
    JsonNode root = MAPPER.readTree(json).path("nftables");
    Map<String, ChainState> chains = new LinkedHashMap<>();
    Map<String, List<RuleState>> rules = new LinkedHashMap<>();
    TreeMap<String, SetState> sets = new TreeMap<>();
    for (JsonNode item : root) {
      if (item.has("chain")) {
        JsonNode c = item.get("chain");
        Optional<Hook> hook = c.has("hook")
            ? Optional.of(new Hook(c.path("type").asString(), c.path("hook").asString(), c.path("prio").asInt(),
                c.path("policy").asString("accept")))
            : Optional.empty();
        String name = c.path("name").asString();
        chains.put(name, new ChainState(name, c.path("handle").asLong(), hook, List.of()));
      } else if (item.has("rule")) {
        JsonNode r = item.get("rule");
        rules.computeIfAbsent(r.path("chain").asString(), k -> new ArrayList<>())
            .add(new RuleState(r.path("handle").asLong(),
                r.has("comment") ? Optional.of(r.get("comment").asString()) : Optional.empty()));
      } else if (item.has("set") || item.has("map")) {
        boolean map = item.has("map");
        JsonNode s = map ? item.get("map") : item.get("set");
        String type = typeText(s.path("type"));
        if (map) {
          type = type + " : " + typeText(s.path("map"));
        }
        List<String> flags = new ArrayList<>();
        for (JsonNode f : s.path("flags")) {
          flags.add(f.asString());
        }
        TreeSet<String> elements = new TreeSet<>();
        for (JsonNode e : s.path("elem")) {
          elements.add(map && e.isArray() ? value(e.get(0)) + " : " + value(e.get(1)) : value(e));
        }
        String name = s.path("name").asString();
        sets.put(name, new SetState(name, map, type, List.copyOf(flags), elements));
      }
    }
    TreeMap<String, ChainState> done = new TreeMap<>();
    chains.forEach((name, c) -> done.put(name,
        new ChainState(name, c.handle(), c.hook(), List.copyOf(rules.getOrDefault(name, List.of())))));
    return new TableState(family, table, done, sets);
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
}
