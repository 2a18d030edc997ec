// The Parquet metadata structures Braid reads and writes (parquet.thrift), as plain C++ values,
// and their Thrift compact encodings. Only the fields Braid uses are kept; the decoders skip every
// other field, whatever its type, and reject malformed input or a missing required field with
// kCorruption. Enum-typed fields keep the file's raw number (an unknown value is not an error
// here; the code that acts on it rejects it with a message naming the column). Field ids and
// which fields are required: docs/formats/parquet.md. Written by hand because no Parquet library
// ships with the platform. Plain values: copyable, no shared state, thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace braid::lake {

// The four bytes a Parquet file starts and ends with.
inline constexpr std::string_view kParquetMagic = "PAR1";

enum class PhysicalType : int32_t {
  kBoolean = 0,
  kInt32 = 1,
  kInt64 = 2,
  kInt96 = 3,
  kFloat = 4,
  kDouble = 5,
  kByteArray = 6,
  kFixedLenByteArray = 7,
};

enum class Encoding : int32_t {
  kPlain = 0,
  kPlainDictionary = 2,
  kRle = 3,
  kBitPacked = 4,
  kDeltaBinaryPacked = 5,
  kDeltaLengthByteArray = 6,
  kDeltaByteArray = 7,
  kRleDictionary = 8,
  kByteStreamSplit = 9,
};

enum class CompressionCodec : int32_t {
  kUncompressed = 0,
  kSnappy = 1,
  kGzip = 2,
  kLzo = 3,
  kBrotli = 4,
  kLz4 = 5,
  kZstd = 6,
  kLz4Raw = 7,
};

enum class PageType : int32_t {
  kDataPage = 0,
  kIndexPage = 1,
  kDictionaryPage = 2,
  kDataPageV2 = 3,
};

enum class Repetition : int32_t { kRequired = 0, kOptional = 1, kRepeated = 2 };

// ConvertedType values Braid writes or interprets.
enum class ConvertedType : int32_t {
  kUtf8 = 0,
  kEnum = 4,
  kDecimal = 5,
  kDate = 6,
  kTimestampMillis = 9,
  kTimestampMicros = 10,
  kUint8 = 11,
  kUint16 = 12,
  kUint32 = 13,
  kUint64 = 14,
  kInt8 = 15,
  kInt16 = 16,
  kInt32 = 17,
  kInt64 = 18,
  kJson = 19,
};

enum class TimeUnit : uint8_t { kMillis, kMicros, kNanos };

// The LogicalType union, reduced to what Braid maps; every other member is kOther with its id.
struct LogicalType {
  enum class Kind : uint8_t { kString, kTimestamp, kInteger, kOther };
  Kind kind = Kind::kOther;
  int16_t union_id = 0;             // the union member's field id, for error messages
  bool is_adjusted_to_utc = false;  // kTimestamp
  TimeUnit unit = TimeUnit::kMicros;
  int8_t bit_width = 64;  // kInteger
  bool is_signed = true;  // kInteger
};

struct SchemaElement {
  std::optional<PhysicalType> type;
  std::optional<Repetition> repetition;
  std::string name;
  std::optional<int32_t> num_children;
  std::optional<ConvertedType> converted_type;
  std::optional<LogicalType> logical_type;
};

struct Statistics {
  std::optional<std::string> max_value;  // field 5, or the deprecated field 1 when reading
  std::optional<std::string> min_value;  // field 6, or the deprecated field 2 when reading
  std::optional<int64_t> null_count;
  bool min_max_deprecated = false;  // min/max came from the deprecated fields 1 and 2
};

struct ColumnMetaData {
  PhysicalType type = PhysicalType::kBoolean;
  std::vector<Encoding> encodings;
  std::vector<std::string> path_in_schema;
  CompressionCodec codec = CompressionCodec::kUncompressed;
  int64_t num_values = 0;
  int64_t total_uncompressed_size = 0;
  int64_t total_compressed_size = 0;
  int64_t data_page_offset = 0;
  std::optional<int64_t> dictionary_page_offset;
  std::optional<Statistics> statistics;
};

struct ColumnChunk {
  std::optional<std::string> file_path;  // data in another file: Braid rejects it
  int64_t file_offset = 0;
  std::optional<ColumnMetaData> meta_data;
};

struct RowGroup {
  std::vector<ColumnChunk> columns;
  int64_t total_byte_size = 0;
  int64_t num_rows = 0;
  int64_t file_offset = 0;
  int64_t total_compressed_size = 0;
  int16_t ordinal = 0;
};

struct KeyValue {
  std::string key;
  std::optional<std::string> value;
};

struct FileMetaData {
  int32_t version = 1;
  std::vector<SchemaElement> schema;
  int64_t num_rows = 0;
  std::vector<RowGroup> row_groups;
  std::vector<KeyValue> key_value_metadata;
  std::optional<std::string> created_by;
  // Written as one TypeDefinedOrder per leaf column; read only as a count.
  size_t column_orders = 0;
};

struct DataPageHeader {
  int32_t num_values = 0;
  Encoding encoding = Encoding::kPlain;
  Encoding definition_level_encoding = Encoding::kRle;
  Encoding repetition_level_encoding = Encoding::kRle;
};

struct DictionaryPageHeader {
  int32_t num_values = 0;
  Encoding encoding = Encoding::kPlain;
};

struct DataPageHeaderV2 {
  int32_t num_values = 0;
  int32_t num_nulls = 0;
  int32_t num_rows = 0;
  Encoding encoding = Encoding::kPlain;
  int32_t definition_levels_byte_length = 0;
  int32_t repetition_levels_byte_length = 0;
  bool is_compressed = true;
};

struct PageHeader {
  PageType type = PageType::kDataPage;
  int32_t uncompressed_page_size = 0;
  int32_t compressed_page_size = 0;
  std::optional<DataPageHeader> data_page_header;
  std::optional<DictionaryPageHeader> dictionary_page_header;
  std::optional<DataPageHeaderV2> data_page_header_v2;
};

// Appends the compact encoding of the footer or of a page header to *out.
void EncodeFileMetaData(const FileMetaData& metadata, std::string* out);
void EncodePageHeader(const PageHeader& header, std::string* out);

// Decodes a footer, which must span all of `data`.
Result<FileMetaData> DecodeFileMetaData(std::string_view data);
// Decodes the page header at the start of `data`; *header_size receives its length in bytes.
Result<PageHeader> DecodePageHeader(std::string_view data, size_t* header_size);

}  // namespace braid::lake
