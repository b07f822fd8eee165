package dev.palisade.controller.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.MockApiServer;
import dev.palisade.controller.api.ApiHandler;
import dev.palisade.controller.api.ApiServerInitializer;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.Router;
import dev.palisade.controller.api.StaticTokens;
import dev.palisade.model.Mode;
import dev.palisade.model.crd.WorkloadIdentity;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * 10,000 malformed review, mode, flow and drop bodies, made by seeded random mutations of valid
 * ones, sent through the controller's real routes and HTTP handler (netty's HTTP codec on an
 * EmbeddedChannel, no socket): each must be refused with a 4xx, and the graph, modes, audit log,
 * drops and snapshots read through the API after them must be byte-identical to before.
 */
@MockApiServer
class MalformedRequestsFuzzTest {
  static KubernetesClient client;
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final long SEED = 20261130L;
  private static final int REQUESTS = 10_000;

  private final StaticTokens tokens = new StaticTokens();
  private final String agent = tokens.issue(new Principal("lab-node-0", Role.AGENT));
  private final String approver = tokens.issue(new Principal("alice", Role.APPROVER));
  private PalisadeController controller;
  private ApiHandler handler;

  @BeforeEach
  void start() throws Exception {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("shop").endMetadata().build())
        .createOr(x -> x.update());
    for (String name : new String[] {"web", "db"}) {
      client.pods().inNamespace("shop").resource(new PodBuilder().withMetadata(new ObjectMetaBuilder()
          .withNamespace("shop").withName(name).withLabels(Map.of("app", name)).build()).withNewSpec().withNodeName("lab-node-0").endSpec().build()).createOr(x -> x.update());
    }
    controller = new PalisadeController(client, tokens, Mode.LEARN);
    controller.sync(Duration.ofSeconds(20));
    controller.drain();
    Router routes = controller.routes();
    handler = new ApiHandler(routes, tokens, p -> false);
  }

  @AfterEach
  void stop() {
    controller.close();
  }

  private long id(String name) throws InterruptedException {
    for (int i = 0; i < 500; i++) {
      WorkloadIdentity wi = client.resources(WorkloadIdentity.class).inNamespace("shop").withName(name).get();
      if (wi != null) {
        return wi.getSpec().id;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no identity for " + name);
  }

  /** Raw HTTP through the server's pipeline; returns status and body. */
  private Answer send(String method, String path, String token, byte[] body) {
    EmbeddedChannel server = new EmbeddedChannel();
    ApiServerInitializer.addHttp(server.pipeline(), 4 * 1024 * 1024).addLast(handler);
    String head = method + " " + path + " HTTP/1.1\r\nHost: test\r\nContent-Length: " + body.length
        + "\r\nAuthorization: Bearer " + token + "\r\n\r\n";
    server.writeInbound(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), body));
    EmbeddedChannel client = new EmbeddedChannel(new HttpClientCodec(), new HttpObjectAggregator(1 << 24));
    for (Object out; (out = server.readOutbound()) != null; ) {
      client.writeInbound(out);
    }
    FullHttpResponse resp = client.readInbound();
    Answer a = new Answer(resp.status().code(), resp.content().toString(StandardCharsets.UTF_8));
    resp.release();
    server.finishAndReleaseAll();
    client.finishAndReleaseAll();
    return a;
  }

  private record Answer(int status, String body) {}

  private Answer post(String path, String token, String body) {
    return send("POST", path, token, body.getBytes(StandardCharsets.UTF_8));
  }

  /** What a refused request must not change, as the API exports it. */
  private String state() {
    StringBuilder b = new StringBuilder();
    for (String path : new String[] {"/v1/graph", "/v1/modes", "/v1/audit", "/v1/drops", "/v1/snapshots"}) {
      Answer a = send("GET", path, approver, new byte[0]);
      assertEquals(200, a.status(), path + ": " + a.body());
      b.append(path).append('\n').append(a.body()).append('\n');
    }
    return b.toString();
  }

  /** A valid body of each endpoint, the seed of the mutations, and the fields it cannot do without. */
  private record Seed(String path, String token, ObjectNode body, List<String> required) {}

  private List<Seed> seeds(long web, long db) {
    String edge = "{\"from\":\"shop/Pod/web\",\"to\":\"shop/Pod/db\",\"port\":5432,\"protocol\":\"TCP\"}";
    String flow = "{\"src\":" + web + ",\"dst\":" + db + ",\"protocol\":\"TCP\",\"port\":5432,\"count\":2,"
        + "\"first\":" + (System.currentTimeMillis() - 1000) + ",\"last\":" + System.currentTimeMillis() + ",\"srcPods\":[\"shop/web\"],\"dstPods\":[\"shop/db\"]}";
    String drop = "{\"kind\":\"monitor\",\"direction\":\"out\",\"src\":" + web + ",\"dst\":" + db
        + ",\"protocol\":\"TCP\",\"port\":6379,\"at\":3000,\"srcPod\":\"shop/web\",\"dstPod\":\"shop/db\"}";
    return List.of(
        new Seed("/v1/review", approver, obj("{\"status\":\"rejected\",\"only\":[" + edge + "]}"),
            List.of("status", "only", "only.0.from", "only.0.to")),
        new Seed("/v1/review", approver, obj("{\"status\":\"approved\",\"all\":true}"), List.of("status", "all")),
        new Seed("/v1/mode", approver, obj("{\"namespace\":\"shop\",\"mode\":\"enforce\"}"),
            List.of("namespace", "mode")),
        new Seed("/v1/mode", approver, obj("{\"namespace\":\"shop\",\"workload\":\"Pod/db\",\"mode\":\"monitor\"}"),
            List.of("namespace", "mode")),
        new Seed("/v1/flows", agent, obj("{\"node\":\"lab-node-0\",\"sequence\":9,\"flows\":[" + flow + "]}"),
            List.of("node", "sequence", "flows", "flows.0.src", "flows.0.dst", "flows.0.protocol", "flows.0.port",
                "flows.0.count", "flows.0.first", "flows.0.last")),
        new Seed("/v1/drops", agent, obj("{\"node\":\"lab-node-0\",\"events\":[" + drop + "]}"),
            List.of("node", "events", "events.0.kind", "events.0.direction", "events.0.src", "events.0.dst",
                "events.0.protocol", "events.0.port", "events.0.at")));
  }

  private static ObjectNode obj(String json) {
    return (ObjectNode) JSON.readTree(json);
  }

  @Test
  void tenThousandMalformedDecisionsAndReportsAreRefusedAndChangeNothing() throws Exception {
    long web = id("pod-web");
    long db = id("pod-db");
    List<Seed> seeds = seeds(web, db);
    // Some state to keep: the seeds themselves are valid (the flow and drop also seed the graph)
    List<Seed> flowsFirst = new ArrayList<>(seeds);
    flowsFirst.sort(java.util.Comparator.comparing(s -> !s.path().equals("/v1/flows")));
    for (Seed s : flowsFirst) {
      controller.drain();
      if (!s.path().equals("/v1/review") || s.body().has("only")) {
        Answer a = post(s.path(), s.token(), s.body().toString());
        assertEquals(200, a.status(), s.body() + " -> " + a.body());
      }
    }
    assertEquals(200, post("/v1/snapshots", approver, "{\"name\":\"kept\"}").status());
    // the modes just set reach /v1/modes through the informer, after their answer
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!(state().contains("\"mode\":\"enforce\"") && state().contains("\"mode\":\"monitor\""))) {
      assertTrue(System.nanoTime() < deadline, "the modes set are not listed: " + state());
      Thread.sleep(20);
    }
    controller.drain();
    String before = state();
    assertTrue(before.contains("\"status\":\"rejected\""), before);

    Random rnd = new Random(SEED);
    int[] byStatus = new int[600];
    for (int i = 0; i < REQUESTS; i++) {
      Seed s = seeds.get(rnd.nextInt(seeds.size()));
      String body = new Mutator(rnd, s).mutate();
      Answer a = post(s.path(), s.token(), body);
      byStatus[a.status()]++;
      assertTrue(a.status() >= 400 && a.status() < 500 && a.body().startsWith("{\"error\":\""),
          "#" + i + " " + s.path() + " " + body + " -> " + a.status() + " " + a.body());
    }
    controller.drain();
    assertEquals(before, state(), "refused requests changed nothing");
    assertTrue(byStatus[400] > REQUESTS / 2 && byStatus[404] > 0, "mostly 400s, some 404s: 400=" + byStatus[400]
        + " 403=" + byStatus[403] + " 404=" + byStatus[404]);
  }

  /** Seeded mutations that each make a valid body invalid, whatever else is mutated with them. */
  private static final class Mutator {
    private static final String[] UNKNOWN = {"onyl", "stauts", "al", "prot", "workoad", "nodes", "flow", "evnts",
        "srcpod", "x", ""};
    private final Random rnd;
    private final Seed seed;
    private final ObjectNode body;

    Mutator(Random rnd, Seed seed) {
      this.rnd = rnd;
      this.seed = seed;
      this.body = seed.body().deepCopy();
    }

    String mutate() {
      int kind = rnd.nextInt(20);
      if (kind == 0) {
        return semantic();
      }
      if (kind == 1) {
        return new String[] {"", " ", "\n", "null", "true", "42", "\"text\"", "[]", "[{}]", "status=approved",
            "<review/>", "{", "}", "{}}", "{\"status\":\"approved\",,}", "\u0000\u0001"}[rnd.nextInt(16)];
      }
      int n = 1 + rnd.nextInt(3);
      for (int i = 0; i < n; i++) {
        structural();
      }
      String text = body.toString();
      if (rnd.nextInt(6) == 0) {
        return text.substring(0, rnd.nextInt(text.length())); // any proper prefix of an object is unfinished
      }
      if (rnd.nextInt(10) == 0) {
        return text + new String[] {" x", "{}", ",", "]"}[rnd.nextInt(4)];
      }
      return text;
    }

    /** Well-formed and well-typed, but naming what does not exist or asking for all and some. */
    private String semantic() {
      switch (seed.path()) {
        case "/v1/review" -> {
          if (body.has("only")) {
            if (rnd.nextBoolean()) {
              body.put("all", true);
            } else {
              ((ObjectNode) body.get("only").get(0)).put("from", "shop/Pod/nosuch");
            }
          } else {
            body.putArray("only");
          }
        }
        case "/v1/mode" -> {
          if (rnd.nextBoolean()) {
            body.put("namespace", "nosuch");
          } else {
            body.put("workload", new String[] {"StatefulSet/db", "Deployment/web", "Pod/nosuch"}[rnd.nextInt(3)]);
          }
        }
        default -> body.put("node", "another-node"); // an agent reports only for its own node: 403
      }
      return body.toString();
    }

    private void structural() {
      List<Object[]> slots = new ArrayList<>(); // {parent, key (String) or index (Integer)}
      collect(body, slots);
      if (slots.isEmpty()) {
        body.put(UNKNOWN[rnd.nextInt(UNKNOWN.length)], 1); // every field removed already
        return;
      }
      Object[] slot = slots.get(rnd.nextInt(slots.size()));
      switch (rnd.nextInt(7)) {
        case 0 -> {
          List<ObjectNode> objects = new ArrayList<>();
          collectObjects(body, objects);
          objects.get(rnd.nextInt(objects.size())).set(UNKNOWN[rnd.nextInt(UNKNOWN.length)], junk());
        }
        case 1 -> set(slot, otherType(get(slot)));
        case 2 -> set(slot, F.nullNode());
        case 3 -> set(slot, huge());
        case 4 -> set(slot, nested());
        case 5 -> outOfRange(slot);
        default -> remove(seed.required().get(rnd.nextInt(seed.required().size())));
      }
    }

    private JsonNode junk() {
      return switch (rnd.nextInt(4)) {
        case 0 -> F.stringNode("x");
        case 1 -> F.numberNode(1);
        case 2 -> F.booleanNode(true);
        default -> nested();
      };
    }

    private JsonNode nested() {
      ObjectNode o = F.objectNode();
      ArrayNode a = o.putArray("a");
      a.add(1).addObject().putNull("b");
      o.put("c", "d");
      return rnd.nextBoolean() ? o : F.arrayNode().add(o).add(F.arrayNode());
    }

    private JsonNode huge() {
      return switch (rnd.nextInt(4)) {
        case 0 -> F.numberNode(new java.math.BigInteger("123456789012345678901234567890"));
        case 1 -> F.numberNode(new java.math.BigDecimal("1e400"));
        case 2 -> F.numberNode(-9_223_372_036_854_775_807L);
        default -> F.numberNode(1.5e300);
      };
    }

    /**
     * A value of another JSON type than {@code v}: a port as "9090/TCP", a name as a number. Never
     * true nor a number in range, so that a second mutation cannot turn a field back into a valid one.
     */
    private JsonNode otherType(JsonNode v) {
      if (v.isString()) {
        return new JsonNode[] {F.numberNode(-7), F.booleanNode(false), F.arrayNode().add(v), F.objectNode()}[rnd.nextInt(4)];
      }
      if (v.isNumber()) {
        return new JsonNode[] {F.stringNode("9090/TCP"), F.stringNode(v.toString()), F.booleanNode(false),
            F.arrayNode().add(v)}[rnd.nextInt(4)];
      }
      if (v.isBoolean()) {
        return new JsonNode[] {F.stringNode("true"), F.numberNode(1)}[rnd.nextInt(2)];
      }
      if (v.isArray()) {
        return new JsonNode[] {F.objectNode(), F.stringNode("[]"), F.numberNode(-7)}[rnd.nextInt(3)];
      }
      return new JsonNode[] {F.arrayNode().add(-7), F.stringNode("{}"), F.numberNode(-7)}[rnd.nextInt(3)];
    }

    /** Right type, wrong value: blank or overlong strings, negative numbers, all: false. */
    private void outOfRange(Object[] slot) {
      JsonNode v = get(slot);
      if (v.isString()) {
        set(slot, F.stringNode(rnd.nextBoolean() ? "" : "x".repeat(600)));
      } else if (v.isNumber()) {
        set(slot, F.numberNode(rnd.nextBoolean() ? -1 : -65536));
      } else if (v.isBoolean()) {
        set(slot, F.booleanNode(false)); // the only boolean is all, and all: false is refused
      } else if (v.isArray()) {
        ((ArrayNode) v).add(F.numberNode(42)); // an element of the wrong kind
      } else if (v instanceof ObjectNode o) {
        o.put(UNKNOWN[rnd.nextInt(UNKNOWN.length)], 1);
      } else {
        set(slot, nested()); // null from an earlier mutation
      }
    }

    private void remove(String path) {
      String[] p = path.split("\\.");
      JsonNode parent = body;
      for (int i = 0; i < p.length - 1 && parent != null; i++) {
        parent = p[i].matches("\\d+") ? parent.get(Integer.parseInt(p[i])) : parent.get(p[i]);
      }
      if (parent instanceof ObjectNode o && o.has(p[p.length - 1])) {
        o.remove(p[p.length - 1]);
      } else {
        body.put(UNKNOWN[0], 1); // the path was already broken by an earlier mutation: break it once more
      }
    }

    private static void collect(JsonNode node, List<Object[]> out) {
      if (node instanceof ObjectNode o) {
        for (String k : new ArrayList<>(o.propertyNames())) {
          out.add(new Object[] {o, k});
          collect(o.get(k), out);
        }
      } else if (node instanceof ArrayNode a) {
        for (int i = 0; i < a.size(); i++) {
          out.add(new Object[] {a, i});
          collect(a.get(i), out);
        }
      }
    }

    private static void collectObjects(JsonNode node, List<ObjectNode> out) {
      if (node instanceof ObjectNode o) {
        out.add(o);
      }
      node.forEach(child -> collectObjects(child, out));
    }

    private static JsonNode get(Object[] slot) {
      return slot[0] instanceof ObjectNode o ? o.get((String) slot[1]) : ((ArrayNode) slot[0]).get((Integer) slot[1]);
    }

    private static void set(Object[] slot, JsonNode v) {
      if (slot[0] instanceof ObjectNode o) {
        o.set((String) slot[1], v);
      } else {
        ((ArrayNode) slot[0]).set((Integer) slot[1], v);
      }
    }
  }
}
