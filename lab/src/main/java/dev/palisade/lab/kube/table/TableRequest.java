package dev.palisade.lab.kube.table;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether a GET asks for a meta.k8s.io Table, as kubectl get does with
 * {@code Accept: application/json;as=Table;v=v1;g=meta.k8s.io,...,application/json}, and what each
 * row should carry ({@code ?includeObject=None|Metadata|Object}, Metadata by default).
 *
 * @param apiVersion the Table's apiVersion asked for first: meta.k8s.io/v1 or meta.k8s.io/v1beta1
 */
public record TableRequest(String apiVersion, IncludeObject include) {
  /** What a row's {@code object} holds. */
  public enum IncludeObject {
    NONE, METADATA, OBJECT
  }

  /** The Table a request asks for, empty when it asks for plain JSON (or a Table as protobuf only). */
  public static Optional<TableRequest> of(String accept, String query) {
    if (accept == null) {
      return Optional.empty();
    }
    for (String mediaType : accept.split(",")) {
      String[] parts = mediaType.split(";");
      if (!parts[0].trim().equalsIgnoreCase("application/json")) {
        continue;
      }
      String as = "";
      String group = "";
      String version = "";
      for (int i = 1; i < parts.length; i++) {
        String[] kv = parts[i].trim().split("=", 2);
        String value = kv.length == 2 ? kv[1].trim() : "";
        switch (kv[0].trim().toLowerCase(Locale.ROOT)) {
          case "as" -> as = value;
          case "g" -> group = value;
          case "v" -> version = value;
          default -> { }
        }
      }
      if (as.equals("Table") && group.equals("meta.k8s.io") && (version.equals("v1") || version.equals("v1beta1"))) {
        return Optional.of(new TableRequest("meta.k8s.io/" + version, includeObject(query)));
      }
      if (as.isEmpty()) {
        return Optional.empty(); // plain JSON is preferred to any Table listed after it
      }
    }
    return Optional.empty();
  }

  private static IncludeObject includeObject(String query) {
    if (query != null) {
      for (String param : query.split("&")) {
        String[] kv = param.split("=", 2);
        if (kv.length == 2 && kv[0].equals("includeObject")) {
          return switch (URLDecoder.decode(kv[1], StandardCharsets.UTF_8)) {
            case "None" -> IncludeObject.NONE;
            case "Object" -> IncludeObject.OBJECT;
            default -> IncludeObject.METADATA;
          };
        }
      }
    }
    return IncludeObject.METADATA;
  }
}
