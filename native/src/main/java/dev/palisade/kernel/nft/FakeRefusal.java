package dev.palisade.kernel.nft;

/**
 * Why {@link FakeTable} refuses one operation, as the kernel's error would say it. The fake turns
 * it into the {@link NftException} of the whole transaction, with the line of the operation.
 * Without a stack trace: a refusal is an answer, not a fault.
 */
final class FakeRefusal extends RuntimeException {
  final NftException.Kind kind;

  FakeRefusal(NftException.Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  static FakeRefusal notFound(String what) {
    return new FakeRefusal(NftException.Kind.NOT_FOUND, "No such file or directory (" + what + ")");
  }

  static FakeRefusal exists(String what) {
    return new FakeRefusal(NftException.Kind.ALREADY_EXISTS, "File exists (" + what + ")");
  }

  static FakeRefusal busy(String what) {
    return new FakeRefusal(NftException.Kind.BUSY, "Device or resource busy (" + what + ")");
  }

  static FakeRefusal syntax(String what) {
    return new FakeRefusal(NftException.Kind.SYNTAX, what);
  }
}
