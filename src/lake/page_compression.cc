#include "lake/page_compression.h"

#include <fmt/format.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>

namespace braid::lake {
namespace {

Status Corrupt(CompressionCodec codec, std::string_view what) {
  return Status(StatusCode::kCorruption, fmt::format("{} page: {}", CodecName(codec), what));
}

// Grows *buffer to at least `bytes` (see CompressPageInto).
void EnsureRoom(std::string* buffer, size_t bytes) {
  if (buffer->size() < bytes) buffer->resize(bytes);
}

Result<size_t> GzipCompress(std::string_view input, std::string* buffer) {
  z_stream stream{};
  // windowBits 15 + 16: a gzip member, as the Parquet spec requires (not a zlib stream).
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return Status(StatusCode::kInternal, "deflateInit2 failed");
  }
  EnsureRoom(buffer, deflateBound(&stream, input.size()) + 32);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  stream.avail_in = static_cast<uInt>(input.size());
  stream.next_out = reinterpret_cast<Bytef*>(buffer->data());
  stream.avail_out = static_cast<uInt>(buffer->size());
  int rc = deflate(&stream, Z_FINISH);
  const size_t produced = stream.total_out;
  deflateEnd(&stream);
  if (rc != Z_STREAM_END) return Status(StatusCode::kInternal, "gzip compression failed");
  return produced;
}

Status GzipDecompress(std::string_view input, std::string* out) {
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 32) != Z_OK) {  // +32: accept gzip or zlib headers
    return Status(StatusCode::kInternal, "inflateInit2 failed");
  }
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  stream.avail_in = static_cast<uInt>(input.size());
  stream.next_out = reinterpret_cast<Bytef*>(out->data());
  stream.avail_out = static_cast<uInt>(out->size());
  int rc = inflate(&stream, Z_FINISH);
  size_t produced = stream.total_out;
  inflateEnd(&stream);
  if (rc != Z_STREAM_END || produced != out->size()) {
    return Corrupt(CompressionCodec::kGzip, "does not inflate to the size in its header");
  }
  return Status::Ok();
}

Status ZstdDecompress(std::string_view input, std::string* out) {
  size_t n = ZSTD_decompress(out->data(), out->size(), input.data(), input.size());
  if (ZSTD_isError(n) || n != out->size()) {
    return Corrupt(CompressionCodec::kZstd,
                   ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short frame");
  }
  return Status::Ok();
}

Status SnappyDecompress(std::string_view input, std::string* out) {
  if (!snappy::RawUncompress(input.data(), input.size(), out->data())) {
    return Corrupt(CompressionCodec::kSnappy, "malformed block");
  }
  return Status::Ok();
}

}  // namespace

std::string CodecName(CompressionCodec codec) {
  switch (codec) {
    case CompressionCodec::kUncompressed: return "UNCOMPRESSED";
    case CompressionCodec::kSnappy: return "SNAPPY";
    case CompressionCodec::kGzip: return "GZIP";
    case CompressionCodec::kLzo: return "LZO";
    case CompressionCodec::kBrotli: return "BROTLI";
    case CompressionCodec::kLz4: return "LZ4";
    case CompressionCodec::kZstd: return "ZSTD";
    case CompressionCodec::kLz4Raw: return "LZ4_RAW";
  }
  return fmt::format("codec {}", static_cast<int32_t>(codec));
}

bool IsSupportedCodec(CompressionCodec codec) {
  return codec == CompressionCodec::kUncompressed || codec == CompressionCodec::kSnappy ||
         codec == CompressionCodec::kGzip || codec == CompressionCodec::kZstd;
}

Result<size_t> CompressPageInto(CompressionCodec codec, std::string_view input, int zstd_level,
                                std::string* buffer) {
  switch (codec) {
    case CompressionCodec::kUncompressed:
      EnsureRoom(buffer, input.size());
      if (!input.empty()) std::memcpy(buffer->data(), input.data(), input.size());
      return input.size();
    case CompressionCodec::kSnappy: {
      EnsureRoom(buffer, snappy::MaxCompressedLength(input.size()));
      size_t n = 0;
      snappy::RawCompress(input.data(), input.size(), buffer->data(), &n);
      return n;
    }
    case CompressionCodec::kGzip:
      return GzipCompress(input, buffer);
    case CompressionCodec::kZstd: {
      EnsureRoom(buffer, ZSTD_compressBound(input.size()));
      size_t n =
          ZSTD_compress(buffer->data(), buffer->size(), input.data(), input.size(), zstd_level);
      if (ZSTD_isError(n)) {
        return Status(StatusCode::kInternal, fmt::format("zstd: {}", ZSTD_getErrorName(n)));
      }
      return n;
    }
    default:
      return Status(StatusCode::kUnsupported,
                    fmt::format("writing {} pages is not supported", CodecName(codec)));
  }
}

Status CompressPage(CompressionCodec codec, std::string_view input, int zstd_level,
                    std::string* out) {
  ASSIGN_OR_RETURN(size_t size, CompressPageInto(codec, input, zstd_level, out));
  out->resize(size);
  return Status::Ok();
}

Status DecompressPage(CompressionCodec codec, std::string_view input, size_t uncompressed_size,
                      std::string* out) {
  if (uncompressed_size > kMaxPageBytes) {
    return Corrupt(codec, fmt::format("uncompressed size {} exceeds the {} byte limit",
                                      uncompressed_size, kMaxPageBytes));
  }
  if (codec == CompressionCodec::kUncompressed) {
    if (input.size() != uncompressed_size) return Corrupt(codec, "sizes in header differ");
    out->assign(input);
    return Status::Ok();
  }
  if (!IsSupportedCodec(codec)) {
    return Status(StatusCode::kUnsupported,
                  fmt::format("pages compressed with {} are not supported (Braid reads "
                              "UNCOMPRESSED, SNAPPY, GZIP and ZSTD)",
                              CodecName(codec)));
  }
  if (codec == CompressionCodec::kZstd) {  // check what the frame declares before allocating
    unsigned long long declared = ZSTD_getFrameContentSize(input.data(), input.size());
    if (declared == ZSTD_CONTENTSIZE_ERROR) return Corrupt(codec, "not a zstd frame");
    if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != uncompressed_size) {
      return Corrupt(codec, "frame size differs from the page header");
    }
  }
  if (codec == CompressionCodec::kSnappy) {
    size_t declared = 0;
    if (!snappy::GetUncompressedLength(input.data(), input.size(), &declared) ||
        declared != uncompressed_size) {
      return Corrupt(codec, "block size differs from the page header");
    }
  }
  out->resize(uncompressed_size);
  switch (codec) {
    case CompressionCodec::kSnappy: return SnappyDecompress(input, out);
    case CompressionCodec::kGzip: return GzipDecompress(input, out);
    case CompressionCodec::kZstd: return ZstdDecompress(input, out);
    default: return Status(StatusCode::kInternal, "unreachable codec");
  }
}

}  // namespace braid::lake
