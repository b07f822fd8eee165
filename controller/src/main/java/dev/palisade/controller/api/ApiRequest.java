package dev.palisade.controller.api;

import java.util.List;
import java.util.Map;

/** A request as endpoints see it: decoded path, query parameters, body bytes, and the caller. */
public record ApiRequest(String method, String path, Map<String, List<String>> query, byte[] body, Principal caller) {
  public String param(String name) {
    List<String> v = query.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }
}
