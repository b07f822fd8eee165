package dev.palisade.controller.review;

import static dev.palisade.controller.api.StrictJson.onlyFields;
import static dev.palisade.controller.api.StrictJson.string;
import static dev.palisade.controller.api.StrictJson.wrong;

import dev.palisade.controller.api.ApiException;
import dev.palisade.controller.api.StrictJson;
import dev.palisade.model.Mode;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * A mode setting, {@code POST /v1/mode}: the namespace, optionally one workload in it as a string
 * {@code KIND/NAME}, and learn, monitor or enforce. A workload given in any other shape (an
 * array, a number, null) is refused rather than dropped: dropping it would set the whole
 * namespace. Whether the namespace and workload exist is for the endpoint to check (404).
 *
 * <pre>
 * {"namespace":"shop","mode":"enforce"}
 * {"namespace":"shop","workload":"StatefulSet/db","mode":"learn"}
 * </pre>
 */
public record ModeRequest(String namespace, String kind, String name, Mode mode, String id) {
  private static final Set<String> FIELDS = Set.of("namespace", "workload", "mode", RequestId.FIELD);
  static final String SHAPE = "{\"namespace\": NS, \"workload\": \"KIND/NAME\" (optional), "
      + "\"mode\": learn|monitor|enforce, \"id\": optional request id}";
  /** A namespace's name (RFC 1123 label). */
  public static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  static final Set<String> KINDS = Set.of("Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job", "Pod");
  private static final Pattern WORKLOAD = Pattern.compile("(Deployment|StatefulSet|DaemonSet|CronJob|Job|Pod)/"
      + "[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

  public ModeRequest {
    if ((kind == null) != (name == null)) {
      throw new IllegalArgumentException("a workload has both a kind and a name, or neither");
    }
  }

  public boolean forWorkload() {
    return kind != null;
  }

  /** KIND/NAME, or null for the namespace itself: how SegmentationMode spells it. */
  public String workload() {
    return kind == null ? null : kind + "/" + name;
  }

  /** What the audit log names: NS or NS/KIND/NAME. */
  public String target() {
    return kind == null ? namespace : namespace + "/" + workload();
  }

  /** The SegmentationMode object's name: one per namespace and one per workload. */
  public String objectName() {
    return kind == null ? "namespace" : objectName(kind, name);
  }

  /**
   * {@code workload-KIND-NAME}, one name per workload: kinds hold no '-', so the kind and the name
   * are read back apart, and the name keeps its dots (replacing them made {@code web.v2} and
   * {@code web-v2} one object). A name too long for an object name (253) is cut and ends in a hash
   * of the whole workload.
   */
  static String objectName(String kind, String name) {
    String full = "workload-" + kind.toLowerCase(Locale.ROOT) + "-" + name;
    if (full.length() <= 253) {
      return full;
    }
    String hash = java.util.HexFormat.of().formatHex(sha256(kind + "/" + name)).substring(0, 16);
    String cut = full.substring(0, 253 - 17);
    while (cut.endsWith("-") || cut.endsWith(".")) { // a subdomain's parts end in a letter or digit
      cut = cut.substring(0, cut.length() - 1);
    }
    return cut + "-" + hash;
  }

  private static byte[] sha256(String s) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** @throws ApiException 400 naming the first field that is wrong */
  public static ModeRequest read(byte[] body) {
    JsonNode root = StrictJson.object(body, SHAPE);
    onlyFields(root, "", FIELDS);
    String ns = string(root, "", "namespace", true);
    if (!DNS_LABEL.matcher(ns).matches()) {
      throw ApiException.badRequest("namespace: '" + cut(ns) + "' is not a valid namespace name");
    }
    String workload = string(root, "", "workload", false);
    String kind = null;
    String name = null;
    if (workload != null) {
      if (!WORKLOAD.matcher(workload).matches()) {
        throw ApiException.badRequest("workload: '" + cut(workload) + "' must be KIND/NAME with KIND one of "
            + "Deployment, StatefulSet, DaemonSet, CronJob, Job, Pod");
      }
      kind = workload.substring(0, workload.indexOf('/'));
      name = workload.substring(workload.indexOf('/') + 1);
    }
    String m = string(root, "", "mode", true);
    Mode mode = switch (m) {
      case "learn" -> Mode.LEARN;
      case "monitor" -> Mode.MONITOR;
      case "enforce" -> Mode.ENFORCE;
      default -> throw wrong("", "mode", "learn, monitor or enforce", root.get("mode"));
    };
    return new ModeRequest(ns, kind, name, mode, RequestId.read(root));
  }

  private static String cut(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "...";
  }
}
