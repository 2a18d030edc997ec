// Thrift compact encoding of the Parquet metadata Braid writes (parquet_metadata.h). Field ids
// follow parquet.thrift; every field the IDL marks required is written.
#include "lake/parquet_metadata.h"
#include "lake/thrift_compact.h"

namespace braid::lake {
namespace {

int32_t Raw(auto enum_value) { return static_cast<int32_t>(enum_value); }

void EncodeLogicalType(const LogicalType& logical, ThriftEncoder* e) {
  e->BeginStruct();
  switch (logical.kind) {
    case LogicalType::Kind::kString:
      e->FieldStructBegin(1);
      e->BeginStruct();
      e->EndStruct();
      break;
    case LogicalType::Kind::kTimestamp: {
      e->FieldStructBegin(8);
      e->BeginStruct();
      e->FieldBool(1, logical.is_adjusted_to_utc);
      e->FieldStructBegin(2);  // TimeUnit union: 1 MILLIS, 2 MICROS, 3 NANOS, each an empty struct
      e->BeginStruct();
      e->FieldStructBegin(static_cast<int16_t>(static_cast<int>(logical.unit) + 1));
      e->BeginStruct();
      e->EndStruct();
      e->EndStruct();
      e->EndStruct();
      break;
    }
    case LogicalType::Kind::kInteger:
      e->FieldStructBegin(10);
      e->BeginStruct();
      e->FieldI8(1, logical.bit_width);
      e->FieldBool(2, logical.is_signed);
      e->EndStruct();
      break;
    case LogicalType::Kind::kOther:
      break;
  }
  e->EndStruct();
}

void EncodeSchemaElement(const SchemaElement& element, ThriftEncoder* e) {
  e->BeginStruct();
  if (element.type) e->FieldI32(1, Raw(*element.type));
  if (element.repetition) e->FieldI32(3, Raw(*element.repetition));
  e->FieldBinary(4, element.name);
  if (element.num_children) e->FieldI32(5, *element.num_children);
  if (element.converted_type) e->FieldI32(6, Raw(*element.converted_type));
  if (element.logical_type) {
    e->FieldStructBegin(10);
    EncodeLogicalType(*element.logical_type, e);
  }
  e->EndStruct();
}

void EncodeStatistics(const Statistics& stats, ThriftEncoder* e) {
  e->BeginStruct();
  if (stats.null_count) e->FieldI64(3, *stats.null_count);
  if (stats.max_value) e->FieldBinary(5, *stats.max_value);
  if (stats.min_value) e->FieldBinary(6, *stats.min_value);
  e->EndStruct();
}

void EncodeColumnMetaData(const ColumnMetaData& meta, ThriftEncoder* e) {
  e->BeginStruct();
  e->FieldI32(1, Raw(meta.type));
  e->FieldListBegin(2, ThriftType::kI32, meta.encodings.size());
  for (Encoding encoding : meta.encodings) e->ElementI32(Raw(encoding));
  e->FieldListBegin(3, ThriftType::kBinary, meta.path_in_schema.size());
  for (const std::string& part : meta.path_in_schema) e->ElementBinary(part);
  e->FieldI32(4, Raw(meta.codec));
  e->FieldI64(5, meta.num_values);
  e->FieldI64(6, meta.total_uncompressed_size);
  e->FieldI64(7, meta.total_compressed_size);
  e->FieldI64(9, meta.data_page_offset);
  if (meta.dictionary_page_offset) e->FieldI64(11, *meta.dictionary_page_offset);
  if (meta.statistics) {
    e->FieldStructBegin(12);
    EncodeStatistics(*meta.statistics, e);
  }
  e->EndStruct();
}

void EncodeRowGroup(const RowGroup& group, ThriftEncoder* e) {
  e->BeginStruct();
  e->FieldListBegin(1, ThriftType::kStruct, group.columns.size());
  for (const ColumnChunk& chunk : group.columns) {
    e->BeginStruct();
    e->FieldI64(2, chunk.file_offset);
    if (chunk.meta_data) {
      e->FieldStructBegin(3);
      EncodeColumnMetaData(*chunk.meta_data, e);
    }
    e->EndStruct();
  }
  e->FieldI64(2, group.total_byte_size);
  e->FieldI64(3, group.num_rows);
  e->FieldI64(5, group.file_offset);
  e->FieldI64(6, group.total_compressed_size);
  e->FieldI16(7, group.ordinal);
  e->EndStruct();
}

}  // namespace

void EncodeFileMetaData(const FileMetaData& metadata, std::string* out) {
  ThriftEncoder e(out);
  e.FieldI32(1, metadata.version);
  e.FieldListBegin(2, ThriftType::kStruct, metadata.schema.size());
  for (const SchemaElement& element : metadata.schema) EncodeSchemaElement(element, &e);
  e.FieldI64(3, metadata.num_rows);
  e.FieldListBegin(4, ThriftType::kStruct, metadata.row_groups.size());
  for (const RowGroup& group : metadata.row_groups) EncodeRowGroup(group, &e);
  if (!metadata.key_value_metadata.empty()) {
    e.FieldListBegin(5, ThriftType::kStruct, metadata.key_value_metadata.size());
    for (const KeyValue& kv : metadata.key_value_metadata) {
      e.BeginStruct();
      e.FieldBinary(1, kv.key);
      if (kv.value) e.FieldBinary(2, *kv.value);
      e.EndStruct();
    }
  }
  if (metadata.created_by) e.FieldBinary(6, *metadata.created_by);
  if (metadata.column_orders > 0) {
    e.FieldListBegin(7, ThriftType::kStruct, metadata.column_orders);
    for (size_t i = 0; i < metadata.column_orders; ++i) {
      e.BeginStruct();  // ColumnOrder union
      e.FieldStructBegin(1);  // TYPE_ORDER: TypeDefinedOrder, an empty struct
      e.BeginStruct();
      e.EndStruct();
      e.EndStruct();
    }
  }
  out->push_back(0);  // end of FileMetaData
}

void EncodePageHeader(const PageHeader& header, std::string* out) {
  ThriftEncoder e(out);
  e.FieldI32(1, Raw(header.type));
  e.FieldI32(2, header.uncompressed_page_size);
  e.FieldI32(3, header.compressed_page_size);
  if (header.data_page_header) {
    const DataPageHeader& page = *header.data_page_header;
    e.FieldStructBegin(5);
    e.BeginStruct();
    e.FieldI32(1, page.num_values);
    e.FieldI32(2, Raw(page.encoding));
    e.FieldI32(3, Raw(page.definition_level_encoding));
    e.FieldI32(4, Raw(page.repetition_level_encoding));
    e.EndStruct();
  }
  if (header.dictionary_page_header) {
    e.FieldStructBegin(7);
    e.BeginStruct();
    e.FieldI32(1, header.dictionary_page_header->num_values);
    e.FieldI32(2, Raw(header.dictionary_page_header->encoding));
    e.EndStruct();
  }
  if (header.data_page_header_v2) {
    const DataPageHeaderV2& page = *header.data_page_header_v2;
    e.FieldStructBegin(8);
    e.BeginStruct();
    e.FieldI32(1, page.num_values);
    e.FieldI32(2, page.num_nulls);
    e.FieldI32(3, page.num_rows);
    e.FieldI32(4, Raw(page.encoding));
    e.FieldI32(5, page.definition_levels_byte_length);
    e.FieldI32(6, page.repetition_levels_byte_length);
    e.FieldBool(7, page.is_compressed);
    e.EndStruct();
  }
  out->push_back(0);
}

}  // namespace braid::lake
