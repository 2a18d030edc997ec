// Thrift compact decoding of the Parquet metadata (parquet_metadata.h). Each struct is read
// field by field: known ids are type-checked and stored, every other field is skipped whatever
// its type, and required fields are checked once the struct ends.
#include <fmt/format.h>

#include "lake/parquet_metadata.h"
#include "lake/thrift_compact.h"

namespace braid::lake {
namespace {

Status CorruptMetadata(std::string_view what) {
  return Status(StatusCode::kCorruption, fmt::format("parquet metadata: {}", what));
}

// Reads one struct, calling handle(id, type) for each field; the handler skips what it ignores.
template <typename Handler>
Status ReadStruct(ThriftDecoder* d, Handler&& handle) {
  RETURN_IF_ERROR(d->BeginStruct());
  while (true) {
    ThriftType type;
    int16_t id = 0;
    RETURN_IF_ERROR(d->ReadFieldHeader(&type, &id));
    if (type == ThriftType::kStop) break;
    RETURN_IF_ERROR(handle(id, type));
  }
  d->EndStruct();
  return Status::Ok();
}

Status ExpectType(ThriftType actual, ThriftType expected, std::string_view field) {
  if (actual == expected) return Status::Ok();
  return CorruptMetadata(fmt::format("field {} has thrift type {}, expected {}", field,
                                     static_cast<int>(actual), static_cast<int>(expected)));
}

template <typename T>
Status ReadI32As(ThriftDecoder* d, ThriftType type, std::string_view field, T* out) {
  RETURN_IF_ERROR(ExpectType(type, ThriftType::kI32, field));
  ASSIGN_OR_RETURN(int32_t v, d->ReadI32());
  *out = static_cast<T>(v);
  return Status::Ok();
}

Status ReadI64Field(ThriftDecoder* d, ThriftType type, std::string_view field, int64_t* out) {
  RETURN_IF_ERROR(ExpectType(type, ThriftType::kI64, field));
  ASSIGN_OR_RETURN(*out, d->ReadI64());
  return Status::Ok();
}

Status ReadStringField(ThriftDecoder* d, ThriftType type, std::string_view field,
                       std::string* out) {
  RETURN_IF_ERROR(ExpectType(type, ThriftType::kBinary, field));
  ASSIGN_OR_RETURN(std::string_view v, d->ReadBinary());
  out->assign(v);
  return Status::Ok();
}

// Reads a list of structs, calling read_element once per element.
template <typename ElementReader>
Status ReadStructList(ThriftDecoder* d, ThriftType type, std::string_view field,
                      ElementReader&& read_element) {
  RETURN_IF_ERROR(ExpectType(type, ThriftType::kList, field));
  ThriftType element;
  size_t size;
  RETURN_IF_ERROR(d->ReadListHeader(&element, &size));
  if (size > 0) RETURN_IF_ERROR(ExpectType(element, ThriftType::kStruct, field));
  for (size_t i = 0; i < size; ++i) RETURN_IF_ERROR(read_element());
  return Status::Ok();
}

// Reads the single member of a union whose members are all empty structs; *member gets its id.
Status ReadEmptyStructUnion(ThriftDecoder* d, int16_t* member) {
  return ReadStruct(d, [&](int16_t id, ThriftType type) {
    *member = id;
    return d->Skip(type);
  });
}

Status ReadTimestampType(ThriftDecoder* d, LogicalType* logical) {
  int16_t unit_member = 0;
  RETURN_IF_ERROR(ReadStruct(d, [&](int16_t id, ThriftType type) -> Status {
    if (id == 1) {
      ASSIGN_OR_RETURN(logical->is_adjusted_to_utc, FieldBool(type));
      return Status::Ok();
    }
    if (id == 2) {
      RETURN_IF_ERROR(ExpectType(type, ThriftType::kStruct, "TimestampType.unit"));
      return ReadEmptyStructUnion(d, &unit_member);
    }
    return d->Skip(type);
  }));
  if (unit_member < 1 || unit_member > 3) {
    return CorruptMetadata("timestamp logical type without unit");
  }
  logical->unit = static_cast<TimeUnit>(unit_member - 1);
  return Status::Ok();
}

Status ReadIntegerType(ThriftDecoder* d, LogicalType* logical) {
  return ReadStruct(d, [&](int16_t id, ThriftType type) -> Status {
    if (id == 1) {
      RETURN_IF_ERROR(ExpectType(type, ThriftType::kByte, "IntType.bitWidth"));
      ASSIGN_OR_RETURN(logical->bit_width, d->ReadByte());
      return Status::Ok();
    }
    if (id == 2) {
      ASSIGN_OR_RETURN(logical->is_signed, FieldBool(type));
      return Status::Ok();
    }
    return d->Skip(type);
  });
}

Status ReadLogicalType(ThriftDecoder* d, LogicalType* logical) {
  return ReadStruct(d, [&](int16_t id, ThriftType type) -> Status {
    RETURN_IF_ERROR(ExpectType(type, ThriftType::kStruct, "LogicalType member"));
    logical->union_id = id;
    switch (id) {
      case 1:
        logical->kind = LogicalType::Kind::kString;
        return d->Skip(type);
      case 8:
        logical->kind = LogicalType::Kind::kTimestamp;
        return ReadTimestampType(d, logical);
      case 10:
        logical->kind = LogicalType::Kind::kInteger;
        return ReadIntegerType(d, logical);
      default:
        logical->kind = LogicalType::Kind::kOther;
        return d->Skip(type);
    }
  });
}

Status ReadSchemaElement(ThriftDecoder* d, SchemaElement* element) {
  bool has_name = false;
  RETURN_IF_ERROR(ReadStruct(d, [&](int16_t id, ThriftType type) -> Status {
    switch (id) {
      case 1:
        return ReadI32As(d, type, "SchemaElement.type", &element->type.emplace());
      case 3:
        return ReadI32As(d, type, "SchemaElement.repetition", &element->repetition.emplace());
      case 4:
        has_name = true;
        return ReadStringField(d, type, "SchemaElement.name", &element->name);
      case 5:
        return ReadI32As(d, type, "SchemaElement.num_children", &element->num_children.emplace());
      case 6:
        return ReadI32As(d, type, "SchemaElement.converted_type",
                         &element->converted_type.emplace());
      case 10:
        RETURN_IF_ERROR(ExpectType(type, ThriftType::kStruct, "SchemaElement.logicalType"));
        return ReadLogicalType(d, &element->logical_type.emplace());
      default:
        return d->Skip(type);
    }
  }));
  if (!has_name) return CorruptMetadata("schema element without a name");
  return Status::Ok();
}

Status ReadStatistics(ThriftDecoder* d, Statistics* stats) {
  std::optional<std::string> old_max, old_min;
  RETURN_IF_ERROR(ReadStruct(d, [&](int16_t id, ThriftType type) -> Status {
    switch (id) {
      case 1:
        return ReadStringField(d, type, "Statistics.max", &old_max.emplace());
      case 2:
        return ReadStringField(d, type, "Statistics.min", &old_min.emplace());
      case 3:
        return ReadI64Field(d, type, "Statistics.null_count", &stats->null_count.emplace());
      case 5:
        return ReadStringField(d, type, "Statistics.max_value", &stats->max_value.emplace());
      case 6:
        return ReadStringField(d, type, "Statistics.min_value", &stats->min_value.emplace());
      default:
        return d->Skip(type);
    }
  }));
  if (!stats->min_value && !stats->max_value && old_min && old_max) {
    stats->min_value = std::move(old_min);
    stats->max_value = std::move(old_max);
    stats->min_max_deprecated = true;
  }
  return Status::Ok();
}

Status ReadEncodingList(ThriftDecoder* d, ThriftType type, std::vector<Encoding>* out) {
  RETURN_IF_ERROR(ExpectType(type, ThriftType::kList, "ColumnMetaData.encodings"));
  ThriftType element;
  size_t size;
  RETURN_IF_ERROR(d->ReadListHeader(&element, &size));
  if (size > 0) RETURN_IF_ERROR(ExpectType(element, ThriftType::kI32, "encodings element"));
  for (size_t i = 0; i < size; ++i) {
    ASSIGN_OR_RETURN(int32_t v, d->ReadI32());
    out->push_back(static_cast<Encoding>(v));
  }
  return Status::Ok();
}

Status ReadPathList(ThriftDecoder* d, ThriftType type, std::vector<std::string>* out) {
  RETURN_IF_ERROR(ExpectType(type, ThriftType::kList, "ColumnMetaData.path_in_schema"));
  ThriftType element;
  size_t size;
  RETURN_IF_ERROR(d->ReadListHeader(&element, &size));
  if (size > 0) RETURN_IF_ERROR(ExpectType(element, ThriftType::kBinary, "path element"));
  for (size_t i = 0; i < size; ++i) {
    ASSIGN_OR_RETURN(std::string_view part, d->ReadBinary());
    out->emplace_back(part);
  }
  return Status::Ok();
}

Status ReadColumnMetaData(ThriftDecoder* d, ColumnMetaData* meta) {
  uint32_t seen = 0;
  RETURN_IF_ERROR(ReadStruct(d, [&](int16_t id, ThriftType type) -> Status {
    if (id >= 1 && id <= 9) seen |= 1u << id;
    switch (id) {
      case 1: return ReadI32As(d, type, "ColumnMetaData.type", &meta->type);
      case 2: return ReadEncodingList(d, type, &meta->encodings);
      case 3: return ReadPathList(d, type, &meta->path_in_schema);
      case 4: return ReadI32As(d, type, "ColumnMetaData.codec", &meta->codec);
      case 5: return ReadI64Field(d, type, "ColumnMetaData.num_values", &meta->num_values);
      case 6:
        return ReadI64Field(d, type, "total_uncompressed_size", &meta->total_uncompressed_size);
      case 7:
        return ReadI64Field(d, type, "total_compressed_size", &meta->total_compressed_size);
      case 9: return ReadI64Field(d, type, "data_page_offset", &meta->data_page_offset);
      case 11:
        return ReadI64Field(d, type, "dictionary_page_offset",
                            &meta->dictionary_page_offset.emplace());
      case 12:
        RETURN_IF_ERROR(ExpectType(type, ThriftType::kStruct, "ColumnMetaData.statistics"));
        return ReadStatistics(d, &meta->statistics.emplace());
      default: return d->Skip(type);
    }
  }));
  constexpr uint32_t kRequired = (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) |
                                 (1u << 6) | (1u << 7) | (1u << 9);
  if ((seen & kRequired) != kRequired) {
    return CorruptMetadata("column metadata misses a required field");
  }
  return Status::Ok();
}

Status ReadColumnChunk(ThriftDecoder* d, ColumnChunk* chunk) {
  return ReadStruct(d, [&](int16_t id, ThriftType type) -> Status {
    switch (id) {
      case 1: return ReadStringField(d, type, "ColumnChunk.file_path", &chunk->file_path.emplace());
      case 2: return ReadI64Field(d, type, "ColumnChunk.file_offset", &chunk->file_offset);
      case 3:
        RETURN_IF_ERROR(ExpectType(type, ThriftType::kStruct, "ColumnChunk.meta_data"));
        return ReadColumnMetaData(d, &chunk->meta_data.emplace());
      default: return d->Skip(type);
    }
  });
}

Status ReadRowGroup(ThriftDecoder* d, RowGroup* group) {
  bool has_columns = false, has_rows = false;
  RETURN_IF_ERROR(ReadStruct(d, [&](int16_t id, ThriftType type) -> Status {
    switch (id) {
      case 1:
        has_columns = true;
        return ReadStructList(d, type, "RowGroup.columns", [&] {
          return ReadColumnChunk(d, &group->columns.emplace_back());
        });
      case 2: return ReadI64Field(d, type, "RowGroup.total_byte_size", &group->total_byte_size);
      case 3:
        has_rows = true;
        return ReadI64Field(d, type, "RowGroup.num_rows", &group->num_rows);
      case 5: return ReadI64Field(d, type, "RowGroup.file_offset", &group->file_offset);
      case 6:
        return ReadI64Field(d, type, "RowGroup.total_compressed_size",
                            &group->total_compressed_size);
      default: return d->Skip(type);
    }
  }));
  if (!has_columns || !has_rows) return CorruptMetadata("row group misses columns or num_rows");
  return Status::Ok();
}

Status ReadKeyValue(ThriftDecoder* d, KeyValue* kv) {
  return ReadStruct(d, [&](int16_t id, ThriftType type) -> Status {
    if (id == 1) return ReadStringField(d, type, "KeyValue.key", &kv->key);
    if (id == 2) return ReadStringField(d, type, "KeyValue.value", &kv->value.emplace());
    return d->Skip(type);
  });
}

Status ReadFileMetaData(ThriftDecoder* d, FileMetaData* m) {
  bool has_schema = false, has_rows = false, has_groups = false;
  RETURN_IF_ERROR(ReadStruct(d, [&](int16_t id, ThriftType type) -> Status {
    switch (id) {
      case 1: return ReadI32As(d, type, "FileMetaData.version", &m->version);
      case 2:
        has_schema = true;
        return ReadStructList(d, type, "FileMetaData.schema",
                              [&] { return ReadSchemaElement(d, &m->schema.emplace_back()); });
      case 3:
        has_rows = true;
        return ReadI64Field(d, type, "FileMetaData.num_rows", &m->num_rows);
      case 4:
        has_groups = true;
        return ReadStructList(d, type, "FileMetaData.row_groups",
                              [&] { return ReadRowGroup(d, &m->row_groups.emplace_back()); });
      case 5:
        return ReadStructList(d, type, "FileMetaData.key_value_metadata", [&] {
          return ReadKeyValue(d, &m->key_value_metadata.emplace_back());
        });
      case 6: return ReadStringField(d, type, "FileMetaData.created_by", &m->created_by.emplace());
      case 7:
        return ReadStructList(d, type, "FileMetaData.column_orders", [&] {
          ++m->column_orders;
          return d->Skip(ThriftType::kStruct);
        });
      default: return d->Skip(type);
    }
  }));
  if (!has_schema || !has_rows || !has_groups) {
    return CorruptMetadata("file metadata misses schema, num_rows or row_groups");
  }
  return Status::Ok();
}

Status ReadDataPageHeader(ThriftDecoder* d, DataPageHeader* page) {
  uint32_t seen = 0;
  RETURN_IF_ERROR(ReadStruct(d, [&](int16_t id, ThriftType type) -> Status {
    if (id >= 1 && id <= 4) seen |= 1u << id;
    switch (id) {
      case 1: return ReadI32As(d, type, "DataPageHeader.num_values", &page->num_values);
      case 2: return ReadI32As(d, type, "DataPageHeader.encoding", &page->encoding);
      case 3: return ReadI32As(d, type, "definition_level_encoding",
                               &page->definition_level_encoding);
      case 4: return ReadI32As(d, type, "repetition_level_encoding",
                               &page->repetition_level_encoding);
      default: return d->Skip(type);
    }
  }));
  if (seen != 0x1E) return CorruptMetadata("data page header misses a required field");
  return Status::Ok();
}

Status ReadDictionaryPageHeader(ThriftDecoder* d, DictionaryPageHeader* page) {
  uint32_t seen = 0;
  RETURN_IF_ERROR(ReadStruct(d, [&](int16_t id, ThriftType type) -> Status {
    if (id >= 1 && id <= 2) seen |= 1u << id;
    switch (id) {
      case 1: return ReadI32As(d, type, "DictionaryPageHeader.num_values", &page->num_values);
      case 2: return ReadI32As(d, type, "DictionaryPageHeader.encoding", &page->encoding);
      default: return d->Skip(type);
    }
  }));
  if (seen != 0x6) return CorruptMetadata("dictionary page header misses a required field");
  return Status::Ok();
}

Status ReadDataPageHeaderV2(ThriftDecoder* d, DataPageHeaderV2* page) {
  uint32_t seen = 0;
  RETURN_IF_ERROR(ReadStruct(d, [&](int16_t id, ThriftType type) -> Status {
    if (id >= 1 && id <= 6) seen |= 1u << id;
    switch (id) {
      case 1: return ReadI32As(d, type, "DataPageHeaderV2.num_values", &page->num_values);
      case 2: return ReadI32As(d, type, "DataPageHeaderV2.num_nulls", &page->num_nulls);
      case 3: return ReadI32As(d, type, "DataPageHeaderV2.num_rows", &page->num_rows);
      case 4: return ReadI32As(d, type, "DataPageHeaderV2.encoding", &page->encoding);
      case 5: return ReadI32As(d, type, "definition_levels_byte_length",
                               &page->definition_levels_byte_length);
      case 6: return ReadI32As(d, type, "repetition_levels_byte_length",
                               &page->repetition_levels_byte_length);
      case 7: {
        ASSIGN_OR_RETURN(page->is_compressed, FieldBool(type));
        return Status::Ok();
      }
      default: return d->Skip(type);
    }
  }));
  if (seen != 0x7E) return CorruptMetadata("data page v2 header misses a required field");
  return Status::Ok();
}

Status ReadPageHeader(ThriftDecoder* d, PageHeader* h) {
  uint32_t seen = 0;
  RETURN_IF_ERROR(ReadStruct(d, [&](int16_t id, ThriftType type) -> Status {
    if (id >= 1 && id <= 3) seen |= 1u << id;
    switch (id) {
      case 1: return ReadI32As(d, type, "PageHeader.type", &h->type);
      case 2: return ReadI32As(d, type, "uncompressed_page_size", &h->uncompressed_page_size);
      case 3: return ReadI32As(d, type, "compressed_page_size", &h->compressed_page_size);
      case 5:
        RETURN_IF_ERROR(ExpectType(type, ThriftType::kStruct, "data_page_header"));
        return ReadDataPageHeader(d, &h->data_page_header.emplace());
      case 7:
        RETURN_IF_ERROR(ExpectType(type, ThriftType::kStruct, "dictionary_page_header"));
        return ReadDictionaryPageHeader(d, &h->dictionary_page_header.emplace());
      case 8:
        RETURN_IF_ERROR(ExpectType(type, ThriftType::kStruct, "data_page_header_v2"));
        return ReadDataPageHeaderV2(d, &h->data_page_header_v2.emplace());
      default: return d->Skip(type);
    }
  }));
  if (seen != 0xE) return CorruptMetadata("page header misses a required field");
  if (h->uncompressed_page_size < 0 || h->compressed_page_size < 0) {
    return CorruptMetadata("page header with a negative size");
  }
  return Status::Ok();
}

}  // namespace

Result<FileMetaData> DecodeFileMetaData(std::string_view data) {
  ThriftDecoder d(data);
  FileMetaData metadata;
  RETURN_IF_ERROR(ReadFileMetaData(&d, &metadata));
  return metadata;
}

Result<PageHeader> DecodePageHeader(std::string_view data, size_t* header_size) {
  ThriftDecoder d(data);
  PageHeader header;
  RETURN_IF_ERROR(ReadPageHeader(&d, &header));
  *header_size = d.position();
  return header;
}

}  // namespace braid::lake
