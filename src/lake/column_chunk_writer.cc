#include "lake/column_chunk_writer.h"

#include <algorithm>
#include <cstring>

#include "lake/page_compression.h"
#include "lake/parquet_schema.h"
#include "lake/rle_hybrid.h"

namespace braid::lake {
namespace {

// Appends the non-null fixed-width values of a slice: one memcpy when the column has no NULLs.
template <typename T>
void AppendFixed(std::span<const T> values, const ColumnSlice& slice, std::string* out) {
  const Column& c = *slice.column;
  if (!c.HasNulls()) {
    out->append(reinterpret_cast<const char*>(values.data() + slice.begin),
                slice.size() * sizeof(T));
    return;
  }
  size_t start = out->size();
  out->resize(start + slice.size() * sizeof(T));
  char* dst = out->data() + start;
  std::span<const uint8_t> valid = c.validity();
  for (size_t i = slice.begin; i < slice.end; ++i) {
    std::memcpy(dst, &values[i], sizeof(T));
    dst += valid[i] ? sizeof(T) : 0;
  }
  out->resize(dst - out->data());
}

void AppendStrings(const ColumnSlice& slice, std::string* out) {
  const Column& c = *slice.column;
  std::span<const uint32_t> offsets = c.offsets();
  out->reserve(out->size() + (offsets[slice.end] - offsets[slice.begin]) + 4 * slice.size());
  for (size_t i = slice.begin; i < slice.end; ++i) {
    if (!c.IsValid(i)) continue;
    uint32_t n = offsets[i + 1] - offsets[i];
    out->append(reinterpret_cast<const char*>(&n), 4);
    out->append(c.arena().data() + offsets[i], n);
  }
}

void AppendBooleans(const std::vector<ColumnSlice>& slices, std::string* out) {
  uint8_t byte = 0;
  int bits = 0;
  for (const ColumnSlice& slice : slices) {
    const Column& c = *slice.column;
    for (size_t i = slice.begin; i < slice.end; ++i) {
      if (!c.IsValid(i)) continue;
      byte |= static_cast<uint8_t>((c.bools()[i] != 0) << bits);
      if (++bits == 8) {
        out->push_back(static_cast<char>(byte));
        byte = 0;
        bits = 0;
      }
    }
  }
  if (bits > 0) out->push_back(static_cast<char>(byte));
}

}  // namespace

std::vector<ColumnChunkWriter::Page> ColumnChunkWriter::PlanPages(
    std::span<const ColumnSlice> slices, int index_bit_width) const {
  const size_t page_bits = std::max<size_t>(options_.page_bytes, 1) * 8;
  const bool plain_strings = field_.type == DataType::kString && index_bit_width < 0;
  size_t row_bits = field_.nullable ? 1 : 0;
  if (index_bit_width >= 0) {
    row_bits += std::max(index_bit_width, 1);
  } else if (field_.type == DataType::kBoolean) {
    row_bits += 1;
  } else if (!plain_strings) {
    row_bits += 64;
  }
  std::vector<Page> pages(1);
  size_t bits = 0;
  for (const ColumnSlice& slice : slices) {
    size_t row = slice.begin;
    while (row < slice.end) {
      size_t take = 0;
      if (plain_strings) {
        std::span<const uint32_t> offsets = slice.column->offsets();
        while (row + take < slice.end && bits < page_bits) {
          bits += row_bits + 32 + 8 * size_t{offsets[row + take + 1] - offsets[row + take]};
          ++take;
        }
      } else {
        take = std::min(slice.end - row, std::max<size_t>(1, (page_bits - bits) / row_bits));
        bits += take * row_bits;
      }
      pages.back().slices.push_back({slice.column, row, row + take});
      pages.back().rows += take;
      row += take;
      if (bits >= page_bits) {
        pages.emplace_back();
        bits = 0;
      }
    }
  }
  if (pages.back().rows == 0) pages.pop_back();
  return pages;
}

size_t ColumnChunkWriter::EncodeLevels(const Page& page) {
  if (!field_.nullable) return page.rows;
  levels_.clear();
  size_t present = 0;
  for (const ColumnSlice& slice : page.slices) {
    if (!slice.column->HasNulls()) {
      levels_.insert(levels_.end(), slice.size(), 1);
      present += slice.size();
      continue;
    }
    std::span<const uint8_t> valid = slice.column->validity().subspan(slice.begin, slice.size());
    levels_.insert(levels_.end(), valid.begin(), valid.end());
    for (uint8_t v : valid) present += v;
  }
  size_t length_at = body_.size();
  body_.append(4, '\0');
  EncodeRleHybridBits(levels_, &body_);
  uint32_t length = static_cast<uint32_t>(body_.size() - length_at - 4);
  std::memcpy(body_.data() + length_at, &length, 4);
  return present;
}

void ColumnChunkWriter::EncodePlainValues(const Page& page) {
  if (field_.type == DataType::kBoolean) {
    AppendBooleans(page.slices, &body_);
    return;
  }
  for (const ColumnSlice& slice : page.slices) {
    switch (field_.type) {
      case DataType::kBigint:
      case DataType::kTimestamp: AppendFixed(slice.column->int64s(), slice, &body_); break;
      case DataType::kDouble: AppendFixed(slice.column->doubles(), slice, &body_); break;
      case DataType::kString: AppendStrings(slice, &body_); break;
      case DataType::kBoolean: break;
    }
  }
}

Status ColumnChunkWriter::AppendPage(const PageHeader& header_template, std::string* out,
                                     ColumnMetaData* meta) {
  if (body_.size() > kMaxPageBytes) {
    return Status(StatusCode::kTooLarge, "parquet page larger than 256 MiB (a huge string?)");
  }
  ASSIGN_OR_RETURN(const size_t compressed_size,
                   CompressPageInto(options_.codec, body_, options_.zstd_level, &compressed_));
  PageHeader header = header_template;
  header.uncompressed_page_size = static_cast<int32_t>(body_.size());
  header.compressed_page_size = static_cast<int32_t>(compressed_size);
  size_t before = out->size();
  EncodePageHeader(header, out);
  size_t header_size = out->size() - before;
  out->append(compressed_.data(), compressed_size);
  meta->total_uncompressed_size += static_cast<int64_t>(header_size + body_.size());
  meta->total_compressed_size += static_cast<int64_t>(header_size + compressed_size);
  return Status::Ok();
}

Result<ColumnMetaData> ColumnChunkWriter::Write(std::span<const ColumnSlice> slices,
                                                int64_t chunk_offset, std::string* out) {
  const size_t start = out->size();
  auto file_position = [&] { return chunk_offset + static_cast<int64_t>(out->size() - start); };
  StatisticsAccumulator stats;
  for (const ColumnSlice& slice : slices) {
    if (options_.statistics == StatisticsMode::kNullCountOnly) {
      stats.CountNulls(slice);
    } else {
      stats.Update(slice);
    }
  }
  last_statistics_ = stats.statistics();
  ColumnMetaData meta;
  meta.type = PhysicalTypeFor(field_.type);
  meta.path_in_schema = {field_.name};
  meta.codec = options_.codec;
  for (const ColumnSlice& slice : slices) meta.num_values += static_cast<int64_t>(slice.size());
  meta.statistics = ToParquetStatistics(last_statistics_);

  DictionaryBuilder dictionary(field_.type, options_.dictionary_limits);
  const bool use_dictionary = options_.dictionary == DictionaryMode::kAuto &&
                              field_.type != DataType::kBoolean &&
                              *last_statistics_.null_count < meta.num_values &&
                              dictionary.Build(slices);
  int bit_width = -1;
  if (use_dictionary) {
    bit_width = std::max(1, BitWidthFor(dictionary.size() - 1));
    body_.clear();
    dictionary.EncodePlain(&body_);
    PageHeader header;
    header.type = PageType::kDictionaryPage;
    header.dictionary_page_header = DictionaryPageHeader{
        .num_values = static_cast<int32_t>(dictionary.size()), .encoding = Encoding::kPlain};
    meta.dictionary_page_offset = file_position();
    RETURN_IF_ERROR(AppendPage(header, out, &meta));
    meta.encodings = {Encoding::kPlain, Encoding::kRleDictionary};
  } else {
    meta.encodings = {Encoding::kPlain};
  }
  if (field_.nullable) meta.encodings.push_back(Encoding::kRle);

  meta.data_page_offset = file_position();
  size_t next_index = 0;
  for (const Page& page : PlanPages(slices, bit_width)) {
    body_.clear();
    size_t present = EncodeLevels(page);
    if (use_dictionary) {
      body_.push_back(static_cast<char>(bit_width));
      EncodeRleHybrid(dictionary.indices().subspan(next_index, present), bit_width, &body_);
      next_index += present;
    } else {
      EncodePlainValues(page);
    }
    PageHeader header;
    header.type = PageType::kDataPage;
    header.data_page_header = DataPageHeader{
        .num_values = static_cast<int32_t>(page.rows),
        .encoding = use_dictionary ? Encoding::kRleDictionary : Encoding::kPlain,
        .definition_level_encoding = Encoding::kRle,
        .repetition_level_encoding = Encoding::kRle};
    RETURN_IF_ERROR(AppendPage(header, out, &meta));
  }
  return meta;
}

}  // namespace braid::lake
