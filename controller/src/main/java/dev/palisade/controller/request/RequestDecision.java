package dev.palisade.controller.request;

import static dev.palisade.controller.api.StrictJson.onlyFields;
import static dev.palisade.controller.api.StrictJson.string;
import static dev.palisade.controller.api.StrictJson.wrong;

import dev.palisade.controller.api.StrictJson;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * An approver's decision on one AccessRequest, {@code POST /v1/requests/decide}: which request,
 * approve or reject, and the edge the approver was shown. The edge is checked against what the
 * request asks for now, so a request edited after the page drew it is not decided unseen.
 *
 * <pre>
 * {"namespace":"shop","name":"web-db-5432","decision":"approve","edge":"shop/Deployment/web -> shop/StatefulSet/db 5432/TCP"}
 * </pre>
 */
public record RequestDecision(String namespace, String name, boolean approve, String edge) {
  private static final Set<String> FIELDS = Set.of("namespace", "name", "decision", "edge");
  private static final String SHAPE = "{\"namespace\": NS, \"name\": NAME, \"decision\": approve|reject, "
      + "\"edge\": \"SRC -> DST PORT/PROTO\" as shown}";
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");

  /** @throws dev.palisade.controller.api.ApiException 400 naming the first field that is wrong */
  public static RequestDecision read(byte[] body) {
    JsonNode root = StrictJson.object(body, SHAPE);
    onlyFields(root, "", FIELDS);
    String ns = string(root, "", "namespace", true);
    if (ns.length() > 63 || !DNS_LABEL.matcher(ns).matches()) {
      throw wrong("", "namespace", "a namespace name", root.get("namespace"));
    }
    String name = string(root, "", "name", true);
    if (name.length() > 253 || !NAME.matcher(name).matches()) {
      throw wrong("", "name", "an AccessRequest's name", root.get("name"));
    }
    String decision = string(root, "", "decision", true);
    if (!decision.equals("approve") && !decision.equals("reject")) {
      throw wrong("", "decision", "approve or reject", root.get("decision"));
    }
    String edge = string(root, "", "edge", true);
    if (edge.isBlank() || edge.length() > 2 * AccessRequestCheck.MAX_END + 32) {
      throw wrong("", "edge", "the edge as the queue shows it (SRC -> DST PORT/PROTO)", root.get("edge"));
    }
    return new RequestDecision(ns, name, decision.equals("approve"), edge);
  }
}
