package dev.palisade.controller.review;

import dev.palisade.controller.api.ApiException;
import dev.palisade.controller.api.StrictJson;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * A snapshot to take, {@code POST /v1/snapshots}: {@code {"name": NAME, "id": optional request id}};
 * the name's rules are {@link Snapshots#checkName}. With an id, sending it again after a lost
 * answer is answered from the snapshot kept, not refused as a name already taken.
 */
public record SnapshotRequest(String name, String id) {
  private static final Set<String> FIELDS = Set.of("name", RequestId.FIELD);

  /** @throws ApiException 400 naming the field that is wrong */
  public static SnapshotRequest read(byte[] body) {
    JsonNode root = StrictJson.object(body, "{\"name\": NAME, \"id\": optional request id}");
    StrictJson.onlyFields(root, "", FIELDS);
    return new SnapshotRequest(StrictJson.string(root, "", "name", true), RequestId.read(root));
  }
}
