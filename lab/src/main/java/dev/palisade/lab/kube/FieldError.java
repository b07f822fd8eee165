package dev.palisade.lab.kube;

/**
 * One invalid field of an object, as kube-apiserver reports it in a 422 Status's
 * {@code details.causes}: {@code field} is the path ({@code spec.rules[0].port}), {@code reason}
 * one of the API's cause types ({@code FieldValueInvalid}, {@code FieldValueRequired},
 * {@code FieldValueNotSupported}, ...) and {@code message} the text after the path.
 */
record FieldError(String field, String reason, String message) {
  FieldError {
    if (field == null || reason == null || message == null) {
      throw new IllegalArgumentException("a field error needs a field, a reason and a message, not "
          + field + ", " + reason + ", " + message);
    }
  }

  static FieldError invalid(String field, String shownValue, String detail) {
    return new FieldError(field, "FieldValueInvalid", "Invalid value: " + shownValue + ": " + detail);
  }

  static FieldError required(String field) {
    return new FieldError(field, "FieldValueRequired", "Required value");
  }

  static FieldError notSupported(String field, String shownValue, String supported) {
    return new FieldError(field, "FieldValueNotSupported",
        "Unsupported value: " + shownValue + ": supported values: " + supported);
  }

  static FieldError tooMany(String field, int found, int most) {
    return new FieldError(field, "FieldValueTooMany",
        "Too many: " + found + ": must have at most " + most + " items");
  }

  /** As kube-apiserver prints it after "is invalid: ". */
  @Override
  public String toString() {
    return field + ": " + message;
  }
}
