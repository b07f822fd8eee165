package dev.palisade.controller.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.api.ApiException;
import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.model.Mode;
import dev.palisade.model.Protocol;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The typed readers of the decision endpoints: what they accept, and that every refusal names the field. */
class RequestReadersTest {
  private static final String EDGE = "{'from':'shop/Deployment/web','to':'shop/Deployment/api','port':8080,'protocol':'TCP'}";

  private static byte[] json(String singleQuoted) {
    return singleQuoted.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
  }

  /** Asserts the body is refused with 400 and a message starting with {@code says}. */
  private static void refused(Function<byte[], ?> reader, String body, String says) {
    ApiException e = assertThrows(ApiException.class, () -> reader.apply(json(body)), body);
    assertEquals(400, e.status(), body);
    assertTrue(e.getMessage().startsWith(says), body + " -> " + e.getMessage());
  }

  @Test
  void readsTheReviewsThePageAndTheCliSend() {
    ReviewRequest r = ReviewRequest.read(json("{'status':'approved','only':[" + EDGE + "]}"));
    assertEquals(EdgeStatus.APPROVED, r.status());
    assertFalse(r.all());
    assertEquals(new ReviewRequest.EdgeSelector("shop/Deployment/web", "shop/Deployment/api", 8080, Protocol.TCP),
        r.only().get(0));
    // the README's example: no protocol is TCP; no port is every port of the pair
    ReviewRequest any = ReviewRequest.read(json("{'status':'rejected','only':[{'from':'a/Pod/x','to':'a/Pod/y'}]}"));
    assertTrue(any.only().get(0).matches(new EdgeKey("a/Pod/x", "a/Pod/y", Protocol.TCP, 5432)));
    assertFalse(any.only().get(0).matches(new EdgeKey("a/Pod/x", "a/Pod/y", Protocol.UDP, 5432)));
    assertEquals(Protocol.UDP, ReviewRequest.read(json("{'status':'learned','only':[{'from':'a/Pod/x','to':'b/Pod/y','port':53,"
        + "'protocol':'udp'}]}")).only().get(0).protocol(), "the CLI passes the protocol as typed");
    ReviewRequest all = ReviewRequest.read(json("{'status':'learned','all':true}"));
    assertTrue(all.all());
    assertTrue(all.only().isEmpty());
  }

  @Test
  void refusesEveryMalformedReviewNamingTheField() {
    Function<byte[], ?> read = ReviewRequest::read;
    refused(read, "{'status':'learned','onyl':[" + EDGE + "]}", "onyl: unknown field");
    refused(read, "{'status':'learned'}", "only: required");
    refused(read, "{'status':'learned','only':[]}", "only: required");
    refused(read, "{'status':'approved','all':true,'only':[" + EDGE + "]}", "all and only");
    refused(read, "{'status':'approved','all':false}", "all: must be true");
    refused(read, "{'status':'approved','all':'true'}", "all: must be true or false, not \"true\"");
    refused(read, "{'status':'approved','all':1}", "all: must be true or false");
    refused(read, "{'only':[" + EDGE + "]}", "status: required");
    refused(read, "{'status':'approve','only':[" + EDGE + "]}", "status: must be approved, rejected or learned");
    refused(read, "{'status':'APPROVED','only':[" + EDGE + "]}", "status: must be");
    refused(read, "{'status':null,'only':[" + EDGE + "]}", "status: must be a string, not null");
    refused(read, "{'status':'approved','only':{}}", "only: must be an array");
    refused(read, "{'status':'approved','only':[" + EDGE + ",42]}", "only[1]: must be an object");
    refused(read, "{'status':'approved','only':[" + EDGE.replace("8080", "'9090/TCP'") + "]}",
        "only[0].port: must be an integer 1..65535, not \"9090/TCP\"");
    for (String port : new String[] {"null", "true", "0", "65536", "-1", "8080.5", "99999999999999999999999"}) {
      refused(read, "{'status':'approved','only':[" + EDGE.replace("8080", port) + "]}", "only[0].port: must be an integer");
    }
    refused(read, "{'status':'approved','only':[" + EDGE.replace("'TCP'", "'ICMP'") + "]}", "only[0].protocol: must be TCP");
    refused(read, "{'status':'approved','only':[" + EDGE.replace("'TCP'", "6") + "]}", "only[0].protocol: must be a string");
    refused(read, "{'status':'approved','only':[" + EDGE.replace("'shop/Deployment/web'", "''") + "]}",
        "only[0].from: must be a vertex name");
    refused(read, "{'status':'approved','only':[" + EDGE.replace("'shop/Deployment/api'", "['x']") + "]}",
        "only[0].to: must be a string, not an array");
    refused(read, "{'status':'approved','only':[{'from':'a','to':'b','prot':'TCP'}]}", "only[0].prot: unknown field");
    refused(read, "{'status':'approved','only':[{'to':'b'}]}", "only[0].from: required");
    refused(read, "{'status':'approved','status':'rejected','only':[" + EDGE + "]}", "body is not JSON");
    refused(read, "{'status':'approved','only':[" + EDGE + "]} []", "body is not JSON");
    refused(read, "{'status':'approved','only':[", "body is not JSON");
    refused(read, "", "body is empty");
    refused(read, "[]", "body must be an object");
    refused(read, "'approved'", "body must be an object");
  }

  @Test
  void readsModesAndRefusesEveryMalformedOneNamingTheField() {
    ModeRequest ns = ModeRequest.read(json("{'namespace':'shop','mode':'enforce'}"));
    assertEquals("shop", ns.target());
    assertNull(ns.workload());
    assertEquals("namespace", ns.objectName());
    ModeRequest w = ModeRequest.read(json("{'namespace':'shop','workload':'StatefulSet/db','mode':'learn'}"));
    assertEquals(Mode.LEARN, w.mode());
    assertEquals("StatefulSet", w.kind());
    assertEquals("db", w.name());
    assertEquals("shop/StatefulSet/db", w.target());
    assertEquals("workload-statefulset-db", w.objectName());
    // dots kept: web.v2 and web-v2 are two objects; a name too long for an object name is cut and hashed
    assertEquals("workload-deployment-web.v2", ModeRequest.objectName("Deployment", "web.v2"));
    assertEquals("workload-deployment-web-v2", ModeRequest.objectName("Deployment", "web-v2"));
    String longA = "a".repeat(240) + ".x";
    String longB = "a".repeat(240) + ".y";
    String a = ModeRequest.objectName("StatefulSet", longA);
    assertEquals(253, a.length(), a);
    assertTrue(a.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?"), a);
    assertFalse(a.equals(ModeRequest.objectName("StatefulSet", longB)), "two long names, two objects");

    Function<byte[], ?> read = ModeRequest::read;
    refused(read, "{'namespace':'shop','workload':['StatefulSet/db'],'mode':'learn'}",
        "workload: must be a string, not an array");
    refused(read, "{'namespace':'shop','workload':null,'mode':'learn'}", "workload: must be a string, not null");
    refused(read, "{'namespace':'shop','workload':'db','mode':'learn'}", "workload: 'db' must be KIND/NAME");
    refused(read, "{'namespace':'shop','workload':'Service/db','mode':'learn'}", "workload: 'Service/db'");
    refused(read, "{'namespace':'shop','mode':'block'}", "mode: must be learn, monitor or enforce, not \"block\"");
    refused(read, "{'namespace':'shop','mode':'Enforce'}", "mode: must be learn");
    refused(read, "{'namespace':'shop'}", "mode: required");
    refused(read, "{'mode':'learn'}", "namespace: required");
    refused(read, "{'namespace':7,'mode':'learn'}", "namespace: must be a string, not 7");
    refused(read, "{'namespace':'Shop!','mode':'learn'}", "namespace: 'Shop!' is not a valid namespace name");
    refused(read, "{'namespace':'shop','mode':'learn','workoad':'Pod/db'}", "workoad: unknown field");
    refused(read, "not json", "body is not JSON");
  }

  @Test
  void readsSnapshotsAndRefusesOtherFields() {
    assertEquals("before", SnapshotRequest.read(json("{'name':'before'}")).name());
    refused(SnapshotRequest::read, "{'nmae':'before'}", "nmae: unknown field");
    refused(SnapshotRequest::read, "{'name':3}", "name: must be a string, not 3");
    refused(SnapshotRequest::read, "{}", "name: required");
    assertEquals("cli-1", SnapshotRequest.read(json("{'name':'before','id':'cli-1'}")).id());
    refused(SnapshotRequest::read, "{'name':'before','id':'two words'}", "id: must be 1..64 characters");
  }
}
