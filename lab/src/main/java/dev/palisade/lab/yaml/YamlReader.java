package dev.palisade.lab.yaml;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.Date;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads YAML as YAML tools write it, into Jackson trees: anchors and aliases, merge keys
 * ({@code <<}), several documents, flow and block style, any scalar style. Jackson's own YAML tree
 * reader turns an alias into its anchor's name and keeps {@code <<} as a key; snakeyaml-engine
 * resolves aliases but not merge keys. SnakeYAML composes here, with
 * <ul>
 *   <li>plain scalars typed by the YAML 1.2 core schema ({@code true}/{@code True}, {@code 10},
 *       {@code 0x1F}, {@code 1.5}, {@code null}/{@code ~}; {@code yes}, {@code on}, {@code 08} and
 *       dates stay text as written), plus the merge key of YAML 1.1, which tools still write;</li>
 *   <li>a duplicate key refused (as kubectl does), not silently the last one;</li>
 *   <li>alias expansion bounded: an alias is shared in memory but copied into the tree, so the tree
 *       may hold at most {@link #nodeBudget} nodes (a "billion laughs" document is refused, an honest
 *       one never reaches it) and an alias to its own ancestor is refused.</li>
 * </ul>
 * Errors are {@link InvalidYamlException}s saying the line and column; callers add the file.
 */
public final class YamlReader {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /** SnakeYAML's own guards: input size, nesting, aliases to collections per stream. */
  private static final int CODE_POINT_LIMIT = 8 * 1024 * 1024;
  private static final int NESTING_DEPTH_LIMIT = 100;
  private static final int MAX_ALIASES_FOR_COLLECTIONS = 10_000;

  private YamlReader() {}

  /** Every document of the stream, in order; an empty document is a NullNode. */
  public static List<JsonNode> readAll(String text) {
    List<JsonNode> docs = new ArrayList<>();
    Expansion budget = new Expansion(nodeBudget(text));
    try {
      for (Object doc : yaml().loadAll(text)) {
        docs.add(budget.tree(doc, docs.size() + 1));
      }
    } catch (MarkedYAMLException e) {
      throw new InvalidYamlException(describe(e), e);
    } catch (YAMLException e) {
      throw new InvalidYamlException(e.getMessage(), e);
    }
    return docs;
  }

  /** The only document of the text; an empty text or a stream of several documents is refused. */
  public static JsonNode readOne(String text) {
    List<JsonNode> docs = readAll(text);
    if (docs.isEmpty()) {
      throw new InvalidYamlException("no YAML document (the text is empty)");
    }
    if (docs.size() > 1) {
      throw new InvalidYamlException("expected one YAML document, found " + docs.size());
    }
    return docs.get(0);
  }

  /**
   * How many tree nodes a text may expand to: any document without aliases has fewer nodes than
   * characters, so only alias expansion can pass this.
   */
  static long nodeBudget(String text) {
    return 100_000L + 4L * text.length();
  }

  private static Yaml yaml() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setCodePointLimit(CODE_POINT_LIMIT);
    options.setNestingDepthLimit(NESTING_DEPTH_LIMIT);
    options.setMaxAliasesForCollections(MAX_ALIASES_FOR_COLLECTIONS);
    options.setAllowRecursiveKeys(false);
    DumperOptions dumper = new DumperOptions();
    return new Yaml(new CoreConstructor(options), new Representer(dumper), dumper, options, new CoreResolver());
  }

  private static String describe(MarkedYAMLException e) {
    Mark at = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
    StringBuilder sb = new StringBuilder();
    if (at != null) {
      sb.append("line ").append(at.getLine() + 1).append(", column ").append(at.getColumn() + 1).append(": ");
    }
    if (e.getContext() != null) {
      sb.append(e.getContext());
      Mark ctx = e.getContextMark();
      if (ctx != null && (at == null || ctx.getLine() != at.getLine())) {
        sb.append(" (line ").append(ctx.getLine() + 1).append(")");
      }
      sb.append(": ");
    }
    sb.append(e.getProblem());
    return sb.toString();
  }

  /**
   * Implicit types of the YAML 1.2 core schema, and {@code <<}. SnakeYAML's default resolver is
   * YAML 1.1's, where {@code on}, {@code no} and {@code y} are booleans and {@code 2001-01-01} a
   * timestamp: a label {@code enabled: on} would silently become "true". One departure from the
   * core schema: a number with a leading zero ({@code 08}, {@code 010}) is text as written, since
   * YAML 1.1 reads it as octal and 1.2 as decimal (an {@code id: 08} stays "08").
   */
  static final class CoreResolver extends Resolver {
    private static final Pattern CORE_BOOL = Pattern.compile("^(?:true|True|TRUE|false|False|FALSE)$");
    private static final Pattern CORE_INT = Pattern.compile("^(?:[-+]?(?:0|[1-9][0-9]*)|0o[0-7]+|0x[0-9a-fA-F]+)$");
    private static final Pattern CORE_FLOAT = Pattern.compile("^(?:[-+]?(?:(?:0|[1-9][0-9]*)(?:\\.[0-9]*)?|\\.[0-9]+)"
        + "(?:[eE][-+]?[0-9]+)?|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$");
    private static final Pattern CORE_NULL = Pattern.compile("^(?:~|null|Null|NULL)$");

    @Override
    protected void addImplicitResolvers() {
      addImplicitResolver(Tag.BOOL, CORE_BOOL, "tTfF");
      addImplicitResolver(Tag.INT, CORE_INT, "-+0123456789");
      addImplicitResolver(Tag.FLOAT, CORE_FLOAT, "-+0123456789.");
      addImplicitResolver(Tag.MERGE, MERGE, "<");
      addImplicitResolver(Tag.NULL, CORE_NULL, "~nN");
      addImplicitResolver(Tag.NULL, EMPTY, null);
    }
  }

  /** SnakeYAML's safe constructor (merge keys included) with core-schema integers ({@code 0o17}, {@code 0x1F}). */
  static final class CoreConstructor extends SafeConstructor {
    CoreConstructor(LoaderOptions options) {
      super(options);
      yamlConstructors.put(Tag.INT, new AbstractConstruct() {
        @Override
        public Object construct(Node node) {
          String text = constructScalar((ScalarNode) node);
          try {
            return coreInteger(text);
          } catch (NumberFormatException e) {
            throw new YAMLException("line " + (node.getStartMark().getLine() + 1) + ", column "
                + (node.getStartMark().getColumn() + 1) + ": '" + text + "' is not an integer");
          }
        }
      });
    }

    static Number coreInteger(String text) {
      BigInteger v;
      if (text.startsWith("0o")) {
        v = new BigInteger(text.substring(2), 8);
      } else if (text.startsWith("0x")) {
        v = new BigInteger(text.substring(2), 16);
      } else {
        v = new BigInteger(text.startsWith("+") ? text.substring(1) : text);
      }
      if (v.bitLength() < 32) {
        return v.intValue();
      }
      return v.bitLength() < 64 ? (Number) v.longValue() : v;
    }
  }

  /** Copies composed values into a tree, counting nodes and watching for an alias to an ancestor. */
  private static final class Expansion {
    private final long budget;
    private long nodes;
    private final Set<Object> path = Collections.newSetFromMap(new IdentityHashMap<>());

    Expansion(long budget) {
      this.budget = budget;
    }

    JsonNode tree(Object value, int document) {
      if (++nodes > budget) {
        throw new InvalidYamlException("document " + document + " expands to more than " + budget
            + " nodes through its aliases; refusing it");
      }
      if (value == null) {
        return NODES.nullNode();
      }
      if (value instanceof String s) {
        return NODES.stringNode(s);
      }
      if (value instanceof Boolean b) {
        return NODES.booleanNode(b);
      }
      if (value instanceof Integer i) {
        return NODES.numberNode(i);
      }
      if (value instanceof Long l) {
        return NODES.numberNode(l);
      }
      if (value instanceof BigInteger b) {
        return NODES.numberNode(b);
      }
      if (value instanceof Double d) {
        return NODES.numberNode(d);
      }
      if (value instanceof byte[] bytes) { // !!binary
        return NODES.stringNode(Base64.getEncoder().encodeToString(bytes));
      }
      if (value instanceof Date date) { // !!timestamp
        return NODES.stringNode(Instant.ofEpochMilli(date.getTime()).toString());
      }
      if (!path.add(value)) {
        throw new InvalidYamlException("document " + document + " holds an alias to a collection that contains it");
      }
      try {
        if (value instanceof Map<?, ?> map) {
          ObjectNode o = NODES.objectNode();
          for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = key(e.getKey(), document);
            if (o.has(key)) {
              throw new InvalidYamlException("document " + document + ": key '" + key + "' appears twice");
            }
            o.set(key, tree(e.getValue(), document));
          }
          return o;
        }
        if (value instanceof Collection<?> list) { // a sequence, or !!set
          ArrayNode a = NODES.arrayNode();
          for (Object item : list) {
            a.add(tree(item, document));
          }
          return a;
        }
        if (value instanceof Object[] pair) { // an entry of !!pairs
          ArrayNode a = NODES.arrayNode();
          for (Object item : pair) {
            a.add(tree(item, document));
          }
          return a;
        }
      } finally {
        path.remove(value);
      }
      throw new InvalidYamlException("document " + document + ": cannot represent a " + value.getClass().getSimpleName());
    }

    /** A JSON key: scalars by their text (a key 80 is "80", as sigs.k8s.io/yaml reads it). */
    private static String key(Object k, int document) {
      if (k instanceof Map<?, ?> || k instanceof Collection<?>) {
        throw new InvalidYamlException("document " + document + ": a mapping key must be a scalar, not " + k);
      }
      return String.valueOf(k);
    }
  }
}
