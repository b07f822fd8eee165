package dev.palisade.kernel.nft;

import java.util.Optional;

/**
 * A transaction nft refused (or that was invalid before reaching it). Carries nft's own message,
 * the offending line of the transaction text when nft names one, and a classification callers
 * can act on.
 */
public final class NftException extends RuntimeException {
  public enum Kind {
    /** An object the transaction refers to does not exist (ENOENT). */
    NOT_FOUND,
    /** create of an object that exists (EEXIST). */
    ALREADY_EXISTS,
    /** An object still in use: a set a rule reads, a chain with rules or jumps to it (EBUSY). */
    BUSY,
    /** No CAP_NET_ADMIN in this network namespace (EPERM). */
    PERMISSION,
    /** nft could not parse the text. */
    SYNTAX,
    /** The transaction builder refused an operation before anything was sent. */
    INVALID,
    OTHER
  }

  private final Kind kind;
  private final String nftMessage;
  private final Optional<String> line;
  private final int lineNumber;

  public NftException(Kind kind, String nftMessage, Optional<String> line, int lineNumber) {
    super(kind + ": " + nftMessage.strip() + line.map(l -> " (line " + lineNumber + ": " + abbreviate(l) + ")").orElse(""));
    this.kind = kind;
    this.nftMessage = nftMessage;
    this.line = line;
    this.lineNumber = lineNumber;
  }

  public static NftException invalid(String message) {
    return new NftException(Kind.INVALID, message, Optional.empty(), 0);
  }

  public Kind kind() {
    return kind;
  }

  /** nft's error text as it printed it (with its caret line), or the builder's reason. */
  public String nftMessage() {
    return nftMessage;
  }

  /** The transaction line nft pointed at, if it named one. */
  public Optional<String> line() {
    return line;
  }

  /** 1-based number of that line in the transaction text, 0 if none. */
  public int lineNumber() {
    return lineNumber;
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }

  /** Classifies by the errno text and parser words nft prints. */
  static Kind classify(String message) {
    String m = message.toLowerCase(java.util.Locale.ROOT);
    if (m.contains("syntax error")) {
      return Kind.SYNTAX;
    }
    if (m.contains("no such file or directory") || m.contains("does not exist")) {
      return Kind.NOT_FOUND;
    }
    if (m.contains("file exists")) {
      return Kind.ALREADY_EXISTS;
    }
    if (m.contains("device or resource busy")) {
      return Kind.BUSY;
    }
    if (m.contains("operation not permitted")) {
      return Kind.PERMISSION;
    }
    return Kind.OTHER;
  }
}
