package dev.palisade.controller.review;

import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * How a failed create is read by the writers that must know whether it was stored all the same
 * (the audit log's entries, a snapshot's object): only some answers say for sure it was not; the
 * rest are read back.
 */
final class CreateRefusal {
  private CreateRefusal() {}

  /**
   * An answer that says the create was not stored (refused: 401, 403, 422, ...). Not so a lost
   * answer (no status), a 5xx (a gateway may time out after the store wrote), 408 or 429 (a proxy's
   * or a limiter's word, which a create that went through can still get), or 409 (the name exists:
   * the client's own retry of a create that was stored, or another writer's object).
   */
  static boolean certain(RuntimeException ex) {
    if (ex instanceof KubernetesClientException k) {
      int code = k.getCode();
      return code >= 400 && code < 500 && code != 409 && code != 408 && code != 429;
    }
    return false;
  }
}
