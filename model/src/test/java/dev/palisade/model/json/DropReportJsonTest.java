package dev.palisade.model.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.model.DropEvent;
import dev.palisade.model.Protocol;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class DropReportJsonTest {
  private static final String EVENT = "{'kind':'monitor','direction':'out','src':300,'dst':301,'protocol':'TCP',"
      + "'port':6379,'at':3000,'srcPod':'shop/web','dstPod':'shop/db'}";

  private static byte[] json(String singleQuoted) {
    return singleQuoted.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
  }

  private static void refused(String body, String says) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DropReportJson.read(json(body)));
    assertTrue(e.getMessage().startsWith(says), body + " -> " + e.getMessage());
  }

  @Test
  void readsWhatTheAgentWrites() {
    DropEvent d = new DropEvent("enforce", "in", 2, 301, Protocol.UDP, 53, 5000, null, "shop/db");
    DropReportJson.DropReport r = DropReportJson.read(DropReportJson.write("node-a", List.of(d))
        .getBytes(StandardCharsets.UTF_8));
    assertEquals("node-a", r.node());
    assertEquals(List.of(d), r.events());
  }

  @Test
  void refusesWrongTypesUnknownFieldsAndMissingFieldsByName() {
    refused("{'node':'n','events':[" + EVENT.replace("6379", "'6379'") + "]}", "events[0].port: must be an integer");
    refused("{'node':'n','events':[" + EVENT.replace("6379", "null") + "]}", "events[0].port: must be an integer");
    refused("{'node':'n','events':[" + EVENT.replace("6379", "70000") + "]}", "events[0].port: must be 0..65535");
    refused("{'node':'n','events':[" + EVENT.replace("'monitor'", "true") + "]}", "events[0].kind: must be a non-empty string");
    refused("{'node':'n','events':[" + EVENT.replace("'shop/web'", "7") + "]}", "events[0].srcPod: must be a namespace/pod");
    refused("{'node':'n','events':[" + EVENT.replace("'kind'", "'knid'") + "]}", "events[0].knid: unknown field");
    refused("{'node':'n','events':[" + EVENT.replace("'monitor'", "'drop'") + "]}", "events[0].");
    refused("{'node':'n','events':[42]}", "events[0]: must be an object");
    refused("{'node':'n','evnts':[]}", "evnts: unknown field");
    refused("{'events':[]}", "node: must be a non-empty string");
    refused("{'node':'n','events':{}}", "events: must be an array");
    refused("{'node':'n'", "drop report is not JSON");
    // what is known of an outside end: only on a drop to or from the world, and a name or an address
    refused("{'node':'n','events':[" + EVENT.replace("'at'", "'outside':'dns:api.example','at'") + "]}", "events[0].");
    refused("{'node':'n','events':[" + EVENT.replace("'at'", "'outside':7,'at'") + "]}", "events[0].outside: must be a string");
    String toWorld = EVENT.replace("'dst':301", "'dst':1").replace(",'dstPod':'shop/db'", "");
    refused("{'node':'n','events':[" + toWorld.replace("'at'", "'outside':'dns:not a name','at'") + "]}", "events[0].");
    assertEquals("dns:api.example", DropReportJson.read(json("{'node':'n','events':["
        + toWorld.replace("'at'", "'outside':'dns:API.example','at'") + "]}")).events().get(0).outside());
  }
}
