package dev.palisade.controller.api;

import java.nio.charset.StandardCharsets;

/** A response: status, content type and body. JSON unless an endpoint says otherwise. */
public record ApiResponse(int status, String contentType, byte[] body) {
  public static ApiResponse json(int status, String json) {
    return new ApiResponse(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
  }

  public static ApiResponse text(int status, String contentType, String text) {
    return new ApiResponse(status, contentType, text.getBytes(StandardCharsets.UTF_8));
  }
}
