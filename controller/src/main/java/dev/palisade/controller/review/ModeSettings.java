package dev.palisade.controller.review;

import dev.palisade.model.Mode;
import dev.palisade.model.crd.SegmentationMode;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What {@code GET /v1/modes} shows: the default and every SegmentationMode's setting. Copied as
 * values on the controller's loop ({@link #of}: the informer's objects are read there, never
 * after), written as JSON anywhere ({@link #json}), so a cluster with many settings costs the loop
 * a list of records, not the text.
 */
public record ModeSettings(String defaultMode, List<Setting> settings) {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** One object's setting; {@code hasSpec} false for an object without a spec (shown by name only). */
  public record Setting(String namespace, String name, boolean hasSpec, String workload, String mode) {}

  /** On the loop: the values of the objects as they are now. */
  public static ModeSettings of(Mode defaultMode, List<SegmentationMode> modes) {
    List<Setting> out = new ArrayList<>(modes.size());
    for (SegmentationMode m : modes) {
      boolean hasSpec = m.getSpec() != null;
      out.add(new Setting(m.getMetadata().getNamespace(), m.getMetadata().getName(), hasSpec,
          hasSpec ? m.getSpec().workload : null, hasSpec ? m.getSpec().mode : null));
    }
    return new ModeSettings(defaultMode.text(), List.copyOf(out));
  }

  /** The answer's JSON; pure, on any thread. */
  public String json() {
    ObjectNode root = JSON.createObjectNode();
    root.put("default", defaultMode);
    ArrayNode a = root.putArray("settings");
    for (Setting s : settings) {
      ObjectNode o = a.addObject();
      o.put("namespace", s.namespace());
      o.put("name", s.name());
      if (s.hasSpec()) {
        o.put("workload", s.workload());
        o.put("mode", s.mode());
      }
    }
    return JSON.writeValueAsString(root);
  }
}
