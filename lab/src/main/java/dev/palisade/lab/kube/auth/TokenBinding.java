package dev.palisade.lab.kube.auth;

/**
 * What a ServiceAccount token is bound to, as a TokenRequest's spec.boundObjectRef says: nothing, a
 * pod of the ServiceAccount's namespace (the token then names the pod and its node), or a node
 * directly (how the lab's per-node agents can be given node-bound tokens without a pod). An empty
 * uid binds to whatever object has the name when the token is issued.
 */
public sealed interface TokenBinding {
  record Unbound() implements TokenBinding {}

  record Pod(String name, String uid) implements TokenBinding {}

  record Node(String name, String uid) implements TokenBinding {}

  static TokenBinding none() {
    return new Unbound();
  }

  static TokenBinding pod(String name) {
    return new Pod(name, "");
  }

  static TokenBinding node(String name) {
    return new Node(name, "");
  }
}
