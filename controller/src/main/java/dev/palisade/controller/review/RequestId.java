package dev.palisade.controller.review;

import dev.palisade.controller.api.StrictJson;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * The optional {@code "id"} a caller gives a decision so that sending it again (a timeout, a
 * retry after a controller restart) does not decide twice: the audit log keeps the id with the
 * decision, and a request whose id is already there is answered from that entry.
 */
final class RequestId {
  static final String FIELD = "id";
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");

  private RequestId() {}

  /** The id, or null when the request has none. @throws dev.palisade.controller.api.ApiException 400 */
  static String read(JsonNode root) {
    String id = StrictJson.string(root, "", FIELD, false);
    if (id != null && !ID.matcher(id).matches()) {
      throw StrictJson.wrong("", FIELD, "1..64 characters of A-Z a-z 0-9 . _ : - starting with a letter or digit",
          root.get(FIELD));
    }
    return id;
  }
}
