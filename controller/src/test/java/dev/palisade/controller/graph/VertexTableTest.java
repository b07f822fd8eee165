package dev.palisade.controller.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VertexTableTest {
  private final VertexTable table = new VertexTable();

  @Test
  void aNameKeepsItsVertexAndDistinctNamesGetDistinctDenseOnes() {
    List<String> names = List.of("shop/Deployment/web", "host", "unknown", "world", "dns:api.example.com",
        "10.0.0.7", "10.1.0.0/16");
    Set<Integer> seen = new HashSet<>();
    for (String n : names) {
      seen.add(table.intern(n));
    }
    assertEquals(Set.of(0, 1, 2, 3, 4, 5, 6), seen, "one int per name, dense from 0");
    for (String n : names) {
      int v = table.intern(n);
      assertEquals(v, table.find(n), "interning again gives the same vertex");
      assertEquals(n, table.name(v), "and it reads back to its name");
    }
    assertEquals(names.size(), table.size());
    // a name equal but not the same String object is the same vertex
    assertEquals(table.find("shop/Deployment/web"), table.intern(new String("shop/Deployment/web")));
    assertNotEquals(table.find("shop/Deployment/web"), table.intern("shop/Deployment/api"));
  }

  @Test
  void aLookupMakesNothingAndAnIdentityKeepsItsFirstVertex() {
    assertEquals(VertexTable.NONE, table.find("shop/Deployment/web"));
    assertEquals(0, table.size(), "find does not intern");
    assertEquals(VertexTable.NONE, table.ofIdentity(300));
    int web = table.intern("shop/Deployment/web");
    int db = table.intern("shop/Deployment/db");
    table.bind(300, web);
    table.bind(300, db);
    assertEquals(web, table.ofIdentity(300), "an identity's vertex is for good");
    assertEquals(VertexTable.NONE, table.ofIdentity(301));
  }

  @Test
  void manyIdentitiesKeepTheirVertices() {
    // dense workload ids, reserved ones, 0, and ids far apart: the table grows and loses none
    java.util.Map<Long, Integer> expected = new java.util.HashMap<>();
    for (long id = 0; id < 5_000; id++) {
      long identity = id < 4_000 ? 256 + id : (id - 4_000) * 1_000_003L * 7919L;
      int v = table.intern("ns/Deployment/w" + id);
      table.bind(identity, v);
      expected.put(identity, v);
    }
    expected.forEach((identity, v) -> assertEquals(v, table.ofIdentity(identity), "identity " + identity));
    assertEquals(VertexTable.NONE, table.ofIdentity(255));
    assertEquals(VertexTable.NONE, table.ofIdentity(-1));
  }
}
