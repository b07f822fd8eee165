package dev.palisade.controller.review;

import dev.palisade.controller.api.ApiException;
import dev.palisade.controller.api.StrictJson;
import dev.palisade.model.crd.ReviewAuditSpec;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * The optional {@code "id"} a caller gives a decision so that sending it again (a timeout, a
 * retry after a controller restart) does not decide twice: the audit log keeps the id with the
 * decision, and a request whose id is already there is answered from that entry.
 */
public final class RequestId {
  static final String FIELD = "id";
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");

  private RequestId() {}

  /** Whether the controller takes {@code id} as a request id: clients check their own before sending. */
  public static boolean valid(String id) {
    return id != null && ID.matcher(id).matches();
  }

  /** 409: the id names another decision in the audit log, so this one is neither a repeat nor new. */
  static ApiException usedBy(String id, ReviewAuditSpec earlier) {
    return new ApiException(409, "id: '" + id + "' was used by decision #" + earlier.seq + " (" + earlier.action
        + (earlier.target == null ? "" : " " + earlier.target) + "), not for this one; a new decision needs a new id");
  }

  /** The id, or null when the request has none. @throws dev.palisade.controller.api.ApiException 400 */
  static String read(JsonNode root) {
    String id = StrictJson.string(root, "", FIELD, false);
    if (id != null && !valid(id)) {
      throw StrictJson.wrong("", FIELD, "1..64 characters of A-Z a-z 0-9 . _ : - starting with a letter or digit",
          root.get(FIELD));
    }
    return id;
  }
}
