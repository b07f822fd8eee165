package dev.palisade.lab.kube.table;

/**
 * One column of a meta.k8s.io/v1 Table ({@code TableColumnDefinition}). kubectl prints the name in
 * capitals and shows columns of priority above 0 only with {@code -o wide}.
 *
 * @param type an OpenAPI type: string, integer, number, boolean, date
 * @param format "name" for the column kubectl treats as the object's name, else empty
 */
public record TableColumn(String name, String type, String format, String description, int priority) {
  public TableColumn {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("a table column needs a name");
    }
    if (priority < 0) {
      throw new IllegalArgumentException("column " + name + ": priority must not be negative, not " + priority);
    }
    type = type == null || type.isEmpty() ? "string" : type;
    format = format == null ? "" : format;
    description = description == null ? "" : description;
  }

  public static final TableColumn NAME = new TableColumn("Name", "string", "name",
      "Name must be unique within a namespace.", 0);
  public static final TableColumn AGE = new TableColumn("Age", "string", "",
      "CreationTimestamp is a timestamp representing the server time when this object was created.", 0);

  static TableColumn of(String name, String type, String description) {
    return new TableColumn(name, type, "", description, 0);
  }

  /** A column shown by {@code -o wide} only. */
  static TableColumn wide(String name, String description) {
    return new TableColumn(name, "string", "", description, 1);
  }
}
