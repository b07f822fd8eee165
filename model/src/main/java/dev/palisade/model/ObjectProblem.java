package dev.palisade.model;

/**
 * Something wrong with one Kubernetes object, said so that whoever tells its author (a log line, a
 * Warning Event on the object) knows which object it is without parsing text: its kind, its
 * namespace (null for a cluster-scoped object such as a Namespace), its name, and what is wrong.
 */
public record ObjectProblem(String kind, String namespace, String name, String message) {
  public ObjectProblem {
    if (kind == null || kind.isBlank() || name == null || message == null) {
      throw new IllegalArgumentException("a problem names its object's kind and name and says what is wrong, not "
          + kind + " " + namespace + "/" + name + ": " + message);
    }
  }

  /** KIND NS/NAME (KIND NAME when cluster-scoped), as logs and messages name the object. */
  public String where() {
    return where(kind, namespace, name);
  }

  /** KIND NS/NAME of any object (KIND NAME when cluster-scoped): one spelling to find a problem's object by. */
  public static String where(String kind, String namespace, String name) {
    return kind + " " + (namespace == null ? "" : namespace + "/") + name;
  }

  @Override
  public String toString() {
    return where() + ": " + message;
  }
}
