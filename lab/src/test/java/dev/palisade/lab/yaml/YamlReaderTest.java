package dev.palisade.lab.yaml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class YamlReaderTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static JsonNode json(String json) {
    return JSON.readTree(json);
  }

  @Test
  void plainScalarsFollowTheCoreSchemaAndNumbersWithALeadingZeroStayText() {
    JsonNode n = YamlReader.readOne("""
        t: true
        T: True
        yes: yes
        on: on
        int: 80
        neg: -3
        hex: 0x1F
        oct: 0o17
        big: 12345678901
        float: 1.5
        exp: 1e3
        id: 08
        zero-padded: 010
        date: 2001-01-01
        null1: null
        null2: ~
        empty:
        quoted: '80'
        """);
    assertEquals(json("""
        {"t": true, "T": true, "yes": "yes", "on": "on", "int": 80, "neg": -3, "hex": 31, "oct": 15,
         "big": 12345678901, "float": 1.5, "exp": 1000.0, "id": "08", "zero-padded": "010", "date": "2001-01-01",
         "null1": null, "null2": null, "empty": null, "quoted": "80"}
        """), n);
  }

  @Test
  void aliasesAndMergeKeysAreResolved() {
    JsonNode n = YamlReader.readOne("""
        base: &base {app: web, tier: front}
        more: &more {zone: a, tier: back}
        copy: *base
        merged: {<<: *base, tier: mid}
        both:
          <<: [*base, *more]
        list: &l [1, 2]
        lists: [*l, *l]
        """);
    assertEquals(json("""
        {"base": {"app": "web", "tier": "front"}, "more": {"zone": "a", "tier": "back"},
         "copy": {"app": "web", "tier": "front"}, "merged": {"app": "web", "tier": "mid"},
         "both": {"app": "web", "tier": "front", "zone": "a"}, "list": [1, 2], "lists": [[1, 2], [1, 2]]}
        """), n);
  }

  @Test
  void multiDocumentStreamsWithAliasesAreRead() {
    List<JsonNode> docs = YamlReader.readAll("""
        apiVersion: v1
        kind: Namespace
        metadata: {name: shop, labels: &l {team: a}}
        ---
        # an empty document is kept as null, as kubectl skips it
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: shop, labels: &app {app: web}}
        spec:
          selector: {matchLabels: *app}
          template:
            metadata: {labels: {<<: *app, version: v1}}
            spec: {containers: [{name: web, image: shop/web, ports: [{containerPort: 8080}]}]}
        """);
    assertEquals(3, docs.size());
    assertTrue(docs.get(1).isNull());
    assertEquals(json("{\"app\": \"web\"}"), docs.get(2).at("/spec/selector/matchLabels"));
    assertEquals(json("{\"app\": \"web\", \"version\": \"v1\"}"), docs.get(2).at("/spec/template/metadata/labels"));
  }

  @Test
  void anAliasCopyIsItsOwnNode() {
    JsonNode n = YamlReader.readOne("a: &a {k: v}\nb: *a\n");
    ((tools.jackson.databind.node.ObjectNode) n.get("b")).put("k", "changed");
    assertEquals("v", n.get("a").get("k").asString(), "patching one copy leaves the anchor alone");
  }

  @Test
  void refusesWhatIsNotYamlWithLineAndColumn() {
    var e = assertThrows(InvalidYamlException.class, () -> YamlReader.readAll("a: 1\nb: *nowhere\n"));
    assertEquals("line 2, column 4: found undefined alias nowhere", e.getMessage());
    e = assertThrows(InvalidYamlException.class, () -> YamlReader.readAll("a: 1\nb: 2\na: 3\n"));
    assertTrue(e.getMessage().startsWith("line 3, column 1: ") && e.getMessage().contains("found duplicate key a"),
        e.getMessage());
    e = assertThrows(InvalidYamlException.class, () -> YamlReader.readAll("a: !custom 1\n"));
    assertTrue(e.getMessage().contains("could not determine a constructor for the tag !custom"), e.getMessage());
    e = assertThrows(InvalidYamlException.class, () -> YamlReader.readOne("a: 1\n---\nb: 2\n"));
    assertEquals("expected one YAML document, found 2", e.getMessage());
  }

  @Test
  void aliasBombsAndSelfReferencesAreRefused() {
    StringBuilder bomb = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i <= 8; i++) {
      bomb.append("a").append(i).append(": &a").append(i).append(" [");
      for (int j = 0; j < 10; j++) {
        bomb.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
      }
      bomb.append("]\n");
    }
    // 80 aliases in a few hundred bytes would expand to 10^9 nodes
    var e = assertThrows(InvalidYamlException.class, () -> YamlReader.readAll(bomb.toString()));
    assertTrue(e.getMessage().startsWith("document 1 expands to more than "), e.getMessage());
    e = assertThrows(InvalidYamlException.class, () -> YamlReader.readAll("a: &a [1, *a]\n"));
    assertEquals("document 1 holds an alias to a collection that contains it", e.getMessage());
  }
}
