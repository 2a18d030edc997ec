#include "lake/column_chunk_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "lake/page_compression.h"
#include "lake/page_values.h"
#include "lake/plain_transcoder.h"
#include "lake/rle_hybrid.h"

namespace braid::lake {
namespace {

Status CorruptChunk(std::string_view what) {
  return Status(StatusCode::kCorruption, std::string(what));
}

}  // namespace

struct ColumnChunkReader::PageContext {
  const ColumnMetaData* meta;
  const LeafColumn* leaf;
  ColumnBuilder* out;
  size_t rows_done = 0;
  size_t rows_total = 0;
  bool seen_data_page = false;
};

Result<Column> ColumnChunkReader::Read(std::string_view bytes, const ColumnMetaData& meta,
                                       const LeafColumn& leaf, int64_t num_rows) {
  if (num_rows < 0 || meta.num_values != num_rows) {
    return CorruptChunk(
        fmt::format("column chunk holds {} values for {} rows", meta.num_values, num_rows));
  }
  ColumnBuilder out(leaf.type);
  size_t reserve = std::min<size_t>(static_cast<size_t>(num_rows), size_t{1} << 24);
  out.Reserve(reserve);
  dictionary_ = PageDictionary{};
  PageContext ctx{.meta = &meta, .leaf = &leaf, .out = &out, .rows_done = 0,
                  .rows_total = static_cast<size_t>(num_rows), .seen_data_page = false};
  size_t pos = 0;
  for (int page = 0; ctx.rows_done < ctx.rows_total; ++page) {
    auto in_page = [&](std::string_view what) {
      return CorruptChunk(fmt::format("page {} at byte {} of the chunk: {}", page, pos, what));
    };
    if (pos >= bytes.size()) return in_page("chunk ends before all rows were read");
    size_t header_size = 0;
    Result<PageHeader> header = DecodePageHeader(bytes.substr(pos), &header_size);
    if (!header.ok()) return in_page(header.status().message());
    size_t body_size = static_cast<size_t>(header->compressed_page_size);
    if (body_size > bytes.size() - pos - header_size) return in_page("page runs past the chunk");
    std::string_view body = bytes.substr(pos + header_size, body_size);
    Status status = ReadPage(*header, body, &ctx);
    if (!status.ok()) {
      return Status(status.code(), fmt::format("page {} at byte {} of the chunk: {}", page, pos,
                                               status.message()));
    }
    pos += header_size + body_size;
  }
  return std::move(out).Finish();
}

Status ColumnChunkReader::ReadPage(const PageHeader& header, std::string_view body,
                                   PageContext* ctx) {
  switch (header.type) {
    case PageType::kDictionaryPage: return ReadDictionaryPage(header, body, ctx);
    case PageType::kDataPage: return ReadDataPageV1(header, body, ctx);
    case PageType::kDataPageV2: return ReadDataPageV2(header, body, ctx);
    case PageType::kIndexPage: return Status::Ok();
  }
  return CorruptChunk(fmt::format("unknown page type {}", static_cast<int32_t>(header.type)));
}

Status ColumnChunkReader::ReadDictionaryPage(const PageHeader& header, std::string_view body,
                                             PageContext* ctx) {
  if (!header.dictionary_page_header) return CorruptChunk("dictionary page without its header");
  if (ctx->seen_data_page || dictionary_.size > 0) {
    return CorruptChunk("dictionary page after data pages or a second dictionary page");
  }
  const DictionaryPageHeader& dict = *header.dictionary_page_header;
  if (dict.encoding != Encoding::kPlain && dict.encoding != Encoding::kPlainDictionary) {
    return Status(StatusCode::kUnsupported,
                  fmt::format("dictionary page encoding {}", static_cast<int32_t>(dict.encoding)));
  }
  if (dict.num_values < 0) return CorruptChunk("negative dictionary size");
  RETURN_IF_ERROR(DecompressPage(ctx->meta->codec, body,
                                 static_cast<size_t>(header.uncompressed_page_size),
                                 &decompressed_));
  return DecodeDictionary(decompressed_, *ctx->leaf, static_cast<size_t>(dict.num_values),
                          &dictionary_);
}

Status ColumnChunkReader::DecodeLevels(std::string_view levels, size_t rows, PageContext* ctx,
                                       size_t* present) {
  uint8_t* valid = ctx->out->validity.data() + ctx->rows_done;
  if (!ctx->leaf->optional) {
    std::memset(valid, 1, rows);
    *present = rows;
    return Status::Ok();
  }
  RleHybridDecoder decoder(levels, 1);
  RETURN_IF_ERROR(decoder.DecodeBits(std::span<uint8_t>(valid, rows)));
  size_t count = 0;
  for (size_t i = 0; i < rows; ++i) count += valid[i];
  *present = count;
  return Status::Ok();
}

Status ColumnChunkReader::DecodeValues(Encoding encoding, std::string_view values, size_t rows,
                                       size_t present, PageContext* ctx) {
  PageRows page{.row = ctx->rows_done, .rows = rows, .present = present};
  switch (encoding) {
    case Encoding::kPlain:
      return DecodePlainPage(values, *ctx->leaf, page, ctx->out);
    case Encoding::kPlainDictionary:
    case Encoding::kRleDictionary:
      return DecodeDictionaryPage(values, *ctx->leaf, page, dictionary_, &indices_, ctx->out);
    case Encoding::kRle:
      if (ctx->leaf->physical == PhysicalType::kBoolean) {
        return DecodeRleBooleanPage(values, page, ctx->out);
      }
      break;
    default:
      if (IsTranscodable(encoding, ctx->leaf->physical)) {
        RETURN_IF_ERROR(TranscodeToPlain(encoding, values, ctx->leaf->physical, present,
                                         &transcoded_));
        return DecodePlainPage(transcoded_, *ctx->leaf, page, ctx->out);
      }
      break;
  }
  return Status(StatusCode::kUnsupported,
                fmt::format("data page encoding {} (Braid reads PLAIN, dictionary, RLE booleans, "
                            "DELTA_BINARY_PACKED, DELTA_(LENGTH_)BYTE_ARRAY, BYTE_STREAM_SPLIT)",
                            static_cast<int32_t>(encoding)));
}

Status ColumnChunkReader::ReadDataPageV1(const PageHeader& header, std::string_view body,
                                         PageContext* ctx) {
  if (!header.data_page_header) return CorruptChunk("data page without its header");
  const DataPageHeader& page = *header.data_page_header;
  if (page.num_values < 0 || static_cast<size_t>(page.num_values) > ctx->rows_total - ctx->rows_done) {
    return CorruptChunk(
        fmt::format("data page of {} values past the chunk's rows", page.num_values));
  }
  size_t rows = static_cast<size_t>(page.num_values);
  RETURN_IF_ERROR(DecompressPage(ctx->meta->codec, body,
                                 static_cast<size_t>(header.uncompressed_page_size),
                                 &decompressed_));
  std::string_view data = decompressed_;
  std::string_view levels;
  if (ctx->leaf->optional) {
    if (page.definition_level_encoding != Encoding::kRle) {
      return Status(StatusCode::kUnsupported, "definition levels not RLE-encoded");
    }
    if (data.size() < 4) return CorruptChunk("definition levels without their length");
    uint32_t length;
    std::memcpy(&length, data.data(), 4);
    if (length > data.size() - 4) return CorruptChunk("definition levels past the end of the page");
    levels = data.substr(4, length);
    data.remove_prefix(4 + size_t{length});
  }
  ctx->seen_data_page = true;
  ctx->out->Resize(ctx->rows_done + rows);
  size_t present = 0;
  RETURN_IF_ERROR(DecodeLevels(levels, rows, ctx, &present));
  RETURN_IF_ERROR(DecodeValues(page.encoding, data, rows, present, ctx));
  ctx->rows_done += rows;
  return Status::Ok();
}

Status ColumnChunkReader::ReadDataPageV2(const PageHeader& header, std::string_view body,
                                         PageContext* ctx) {
  if (!header.data_page_header_v2) return CorruptChunk("data page v2 without its header");
  const DataPageHeaderV2& page = *header.data_page_header_v2;
  if (page.num_values < 0 || static_cast<size_t>(page.num_values) > ctx->rows_total - ctx->rows_done) {
    return CorruptChunk(
        fmt::format("data page of {} values past the chunk's rows", page.num_values));
  }
  if (page.definition_levels_byte_length < 0 || page.repetition_levels_byte_length < 0) {
    return CorruptChunk("negative level length");
  }
  size_t levels_size = size_t(page.definition_levels_byte_length) +
                       size_t(page.repetition_levels_byte_length);
  if (levels_size > body.size() || levels_size > size_t(header.uncompressed_page_size)) {
    return CorruptChunk("levels past the end of the page");
  }
  size_t rows = static_cast<size_t>(page.num_values);
  std::string_view levels = body.substr(page.repetition_levels_byte_length,
                                        page.definition_levels_byte_length);
  std::string_view values = body.substr(levels_size);
  size_t values_size = size_t(header.uncompressed_page_size) - levels_size;
  if (page.is_compressed && ctx->meta->codec != CompressionCodec::kUncompressed) {
    RETURN_IF_ERROR(DecompressPage(ctx->meta->codec, values, values_size, &decompressed_));
    values = decompressed_;
  } else if (values.size() != values_size) {
    return CorruptChunk("page sizes in the header differ");
  }
  ctx->seen_data_page = true;
  ctx->out->Resize(ctx->rows_done + rows);
  size_t present = 0;
  RETURN_IF_ERROR(DecodeLevels(levels, rows, ctx, &present));
  if (ctx->leaf->optional && page.num_nulls >= 0 && rows - present != size_t(page.num_nulls)) {
    return CorruptChunk(
        fmt::format("page says {} nulls, its levels {}", page.num_nulls, rows - present));
  }
  RETURN_IF_ERROR(DecodeValues(page.encoding, values, rows, present, ctx));
  ctx->rows_done += rows;
  return Status::Ok();
}

}  // namespace braid::lake
