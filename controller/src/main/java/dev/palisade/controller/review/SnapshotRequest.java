package dev.palisade.controller.review;

import dev.palisade.controller.api.ApiException;
import dev.palisade.controller.api.StrictJson;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/** A snapshot to take, {@code POST /v1/snapshots}: {@code {"name": NAME}}; the name's rules are {@link Snapshots#checkName}. */
public record SnapshotRequest(String name) {
  private static final Set<String> FIELDS = Set.of("name");

  /** @throws ApiException 400 naming the field that is wrong */
  public static SnapshotRequest read(byte[] body) {
    JsonNode root = StrictJson.object(body, "{\"name\": NAME}");
    StrictJson.onlyFields(root, "", FIELDS);
    return new SnapshotRequest(StrictJson.string(root, "", "name", true));
  }
}
