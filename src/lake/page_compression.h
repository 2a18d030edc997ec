// Page compression for the Parquet codecs Braid supports: UNCOMPRESSED, SNAPPY (raw block), GZIP
// (a gzip member, via zlib) and ZSTD (one frame per page). Wraps zstd, snappy and zlib, none of
// which throws. Decompression writes exactly the size the page header promises, checks what the
// codec itself declares before allocating, and reports a mismatch as kCorruption; a page larger
// than kMaxPageBytes is refused so a corrupt header cannot make the reader allocate without
// bound. Stateless functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"
#include "lake/parquet_metadata.h"

namespace braid::lake {

inline constexpr size_t kMaxPageBytes = size_t{256} << 20;

// "UNCOMPRESSED", "SNAPPY", ... ("codec 42" for an unknown number).
std::string CodecName(CompressionCodec codec);

// Whether Braid can write (and read) pages with this codec.
bool IsSupportedCodec(CompressionCodec codec);

// Replaces *out with the compressed form of `input`; `zstd_level` is used by ZSTD only.
Status CompressPage(CompressionCodec codec, std::string_view input, int zstd_level,
                    std::string* out);

// Writes the compressed form of `input` at the front of *buffer and returns its size. *buffer
// only grows (to the codec's bound for `input`), never shrinks: a buffer reused page after page
// is not filled with zeros again each time, as resizing a string up would do.
Result<size_t> CompressPageInto(CompressionCodec codec, std::string_view input, int zstd_level,
                                std::string* buffer);

// Replaces *out with the decompressed form of `input`, which must be exactly
// `uncompressed_size` bytes.
Status DecompressPage(CompressionCodec codec, std::string_view input, size_t uncompressed_size,
                      std::string* out);

}  // namespace braid::lake
