package dev.palisade.model;

import java.util.Locale;

/** Transport protocols a policy can name, with their IP protocol numbers. */
public enum Protocol {
  TCP(6), UDP(17), SCTP(132);

  private final int number;

  Protocol(int number) {
    this.number = number;
  }

  public int number() {
    return number;
  }

  /** nft's name for it (tcp, udp, sctp). */
  public String nftName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses TCP/UDP/SCTP (any case); a missing protocol is TCP, as in Kubernetes. */
  public static Protocol parse(String text) {
    if (text == null || text.isBlank()) {
      return TCP;
    }
    try {
      return valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("protocol must be TCP, UDP or SCTP, not '" + text + "'");
    }
  }

  public static Protocol ofNumber(int number) {
    for (Protocol p : values()) {
      if (p.number == number) {
        return p;
      }
    }
    throw new IllegalArgumentException("IP protocol " + number + " is not TCP, UDP or SCTP");
  }
}
