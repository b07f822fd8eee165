package dev.palisade.kernel.nft;

/** What a transaction operation does, as the nft command word. */
public enum Verb {
  ADD, CREATE, INSERT, REPLACE, DELETE, DESTROY, FLUSH;

  String word() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
