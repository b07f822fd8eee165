package dev.palisade.cli;

/** --listen=HOST:PORT, parsed once so a typo fails at start-up, not at bind time. */
record HostPort(String host, int port) {
  static HostPort parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("expected HOST:PORT, not '" + text + "'");
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("port of '" + text + "' is not a number");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port of '" + text + "' is out of range");
    }
    return new HostPort(text.substring(0, colon), port);
  }

  /** As {@link #parse}, the error naming the flag the text came from. */
  static HostPort parse(String flag, String text) {
    try {
      return parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(flag + ": " + e.getMessage(), e);
    }
  }
}
