package dev.palisade.kernel.nft;

import java.util.List;
import java.util.Optional;

/**
 * The nftables objects a {@link Transaction} operates on, all inside the transaction's table.
 * Values only; the text nft reads is written by {@link Transaction}.
 */
public sealed interface NftObject {

  /** The transaction's own table (family and name come from the transaction). */
  record Table(Optional<String> comment) implements NftObject {
    public static Table of() {
      return new Table(Optional.empty());
    }
  }

  /**
   * A chain. A base chain has a type, hook, priority (a number or a name such as {@code filter},
   * optionally {@code filter + 10}) and policy; a regular chain has none of them.
   */
  record Chain(String name, Optional<BaseHook> base, Optional<String> comment) implements NftObject {
    public static Chain regular(String name) {
      return new Chain(name, Optional.empty(), Optional.empty());
    }

    public static Chain base(String name, String type, String hook, String priority, String policy) {
      return new Chain(name, Optional.of(new BaseHook(type, hook, priority, policy)), Optional.empty());
    }
  }

  record BaseHook(String type, String hook, String priority, String policy) {}

  /**
   * A rule in a chain. {@code handle} names an existing rule: the one to replace or delete, or
   * the position for add (after it) and insert (before it).
   */
  record Rule(String chain, String rule, Optional<Long> handle, Optional<String> comment) implements NftObject {
    public static Rule of(String chain, String rule) {
      return new Rule(chain, rule, Optional.empty(), Optional.empty());
    }

    public static Rule withComment(String chain, String rule, String comment) {
      return new Rule(chain, rule, Optional.empty(), Optional.of(comment));
    }

    public static Rule handle(String chain, long handle) {
      return new Rule(chain, "", Optional.of(handle), Optional.empty());
    }

    public static Rule at(String chain, long handle, String rule) {
      return new Rule(chain, rule, Optional.of(handle), Optional.empty());
    }
  }

  /** A named set: {@code type} as nft writes it ({@code ipv4_addr . inet_proto . inet_service}). */
  record NftSet(String name, String type, List<String> flags, Optional<String> comment) implements NftObject {
    public static NftSet of(String name, String type, String... flags) {
      return new NftSet(name, type, List.of(flags), Optional.empty());
    }

    /** A set named for deletion or flushing, where its type is not needed. */
    public static NftSet named(String name) {
      return new NftSet(name, "", List.of(), Optional.empty());
    }
  }

  /** A named map: key type and value type ({@code verdict}, {@code mark}, ...). */
  record NftMap(String name, String keyType, String valueType, List<String> flags, Optional<String> comment)
      implements NftObject {
    public static NftMap of(String name, String keyType, String valueType, String... flags) {
      return new NftMap(name, keyType, valueType, List.of(flags), Optional.empty());
    }

    public static NftMap named(String name) {
      return new NftMap(name, "", "", List.of(), Optional.empty());
    }
  }

  /**
   * One element of a set ({@code value} empty) or a map ({@code key : value}); {@code setName}
   * names either.
   */
  record Element(String setName, String key, Optional<String> value) implements NftObject {
    public static Element of(String setName, String key) {
      return new Element(setName, key, Optional.empty());
    }

    public static Element mapping(String mapName, String key, String value) {
      return new Element(mapName, key, Optional.of(value));
    }
  }
}
