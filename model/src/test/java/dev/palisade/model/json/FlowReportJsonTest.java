package dev.palisade.model.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.model.FlowKey;
import dev.palisade.model.FlowRecord;
import dev.palisade.model.FlowReport;
import dev.palisade.model.Protocol;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlowReportJsonTest {
  private static final String GOOD_FLOW = "{\"src\":300,\"dst\":301,\"protocol\":\"TCP\",\"port\":9090,\"count\":2,"
      + "\"first\":1000,\"last\":2000,\"srcPods\":[\"shop/web-1\"],\"dstPods\":[]}";

  private static FlowReport read(String s) {
    return FlowReportJson.read(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void roundTrips() {
    FlowReport r = new FlowReport("lab-node-0", 7, List.of(new FlowRecord(new FlowKey(300, 301, Protocol.UDP, 53), 4,
        10, 20, List.of("shop/web-1"), List.of("kube-system/dns-0"))));
    assertEquals(r, read(FlowReportJson.write(r)));
  }

  @Test
  void malformedReportsAreRefusedWithTheFieldNamed() {
    String[][] cases = {
        {"not json", "not JSON"},
        {"[]", "must be a JSON object"},
        {"{\"node\":\"n\",\"sequence\":1,\"flows\":[],\"extra\":1}", "extra: unknown field"},
        {"{\"node\":\"\",\"sequence\":1,\"flows\":[]}", "node: must be a non-empty string"},
        {"{\"node\":\"n\",\"sequence\":-1,\"flows\":[]}", "sequence: must be 0.."},
        {"{\"node\":\"n\",\"sequence\":1,\"flows\":{}}", "flows: must be an array"},
        {"{\"node\":\"n\",\"sequence\":1,\"flows\":[" + GOOD_FLOW.replace("9090", "70000") + "]}", "flows[0].port: must be 1..65535"},
        {"{\"node\":\"n\",\"sequence\":1,\"flows\":[" + GOOD_FLOW.replace("\"TCP\"", "\"ICMP\"") + "]}", "flows[0]. protocol must be"},
        {"{\"node\":\"n\",\"sequence\":1,\"flows\":[" + GOOD_FLOW.replace("\"count\":2", "\"count\":2,\"ip\":\"1.2.3.4\"") + "]}", "flows[0].ip: unknown field"},
        {"{\"node\":\"n\",\"sequence\":1,\"flows\":[" + GOOD_FLOW.replace("shop/web-1", "../../etc") + "]}", "not a namespace/pod name"},
        {"{\"node\":\"n\",\"sequence\":1,\"flows\":[" + GOOD_FLOW.replace("\"first\":1000", "\"first\":3000") + "]}", "0 < first <= last"},
        {"{\"node\":\"n\",\"sequence\":1,\"flows\":[" + GOOD_FLOW.replace("300", "\"300\"") + "]}", "flows[0].src: must be an integer"},
    };
    for (String[] c : cases) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(c[0]), c[0]);
      assertTrue(e.getMessage().contains(c[1]), "'" + e.getMessage() + "' should say '" + c[1] + "'");
    }
  }

  @Test
  void hugeBatchesAreRefused() {
    StringBuilder sb = new StringBuilder("{\"node\":\"n\",\"sequence\":1,\"flows\":[");
    for (int i = 0; i <= FlowReport.MAX_FLOWS; i++) {
      sb.append(i == 0 ? "" : ",").append(GOOD_FLOW);
    }
    sb.append("]}");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> read(sb.toString())).getMessage().contains("at most"));
  }
}
