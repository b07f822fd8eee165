package dev.palisade.kernel.nft;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;

/**
 * libnftables' C API (nftables/libnftables.h), the calls Palisade needs. Public only because JNR
 * generates the implementation in another class loader; use {@link LibNftables}.
 */
public interface LibNftablesApi {
  int NFT_CTX_DEFAULT = 0;
  int NFT_CTX_OUTPUT_HANDLE = 1 << 3;
  int NFT_CTX_OUTPUT_JSON = 1 << 4;

  Pointer nft_ctx_new(int flags);

  void nft_ctx_free(Pointer ctx);

  int nft_ctx_buffer_output(Pointer ctx);

  int nft_ctx_buffer_error(Pointer ctx);

  /** The output buffer, NUL-terminated; valid until the context's next command (a listing is read in place). */
  Pointer nft_ctx_get_output_buffer(Pointer ctx);

  String nft_ctx_get_error_buffer(Pointer ctx);

  int nft_ctx_output_get_flags(Pointer ctx);

  void nft_ctx_output_set_flags(Pointer ctx, int flags);

  void nft_ctx_set_dry_run(Pointer ctx, boolean dry);

  /** Runs a NUL-terminated command buffer as one transaction; 0 on success. */
  int nft_run_cmd_from_buffer(Pointer ctx, @In byte[] buf);

  /** Runs a file as one transaction; errors then name file:line:column. */
  int nft_run_cmd_from_filename(Pointer ctx, String filename);

  LibNftablesApi INSTANCE = LibraryLoader.create(LibNftablesApi.class).load("nftables");
}
