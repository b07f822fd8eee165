package dev.palisade.kernel.nft;

/**
 * One nftables notification as {@link NftEventParser} reads it: a change to an object, or the
 * new generation that closes every committed batch (the kernel sends all of a batch's changes
 * first, then exactly one {@link Generation}).
 */
sealed interface NftEvent {

  enum Kind { TABLE, CHAIN, RULE, SET, ELEMENT, OBJECT, FLOWTABLE }

  /**
   * An object added (or updated) or deleted. {@code name} is the object's own name, or for a rule
   * its chain and for an element its set; {@code count} says how many rules or elements.
   */
  record Change(String family, String table, Kind kind, boolean added, String name, int count) implements NftEvent {
    /** The text a {@link TableChange} lists, e.g. {@code delete 2 rules in chain c}. */
    String text(int total) {
      String verb = added ? "add " : "delete ";
      return switch (kind) {
        case TABLE -> verb + "table " + family + " " + table;
        case RULE -> verb + (total == 1 ? "rule" : total + " rules") + " in chain " + name;
        case ELEMENT -> verb + (total == 1 ? "element" : total + " elements") + (added ? " to set " : " from set ")
            + name;
        default -> verb + kind.name().toLowerCase(java.util.Locale.ROOT) + " " + name;
      };
    }
  }

  /** NFT_MSG_NEWGEN: the batch is committed; {@code pid} is the committing thread's id. */
  record Generation(long id, int pid, String process) implements NftEvent {}
}
