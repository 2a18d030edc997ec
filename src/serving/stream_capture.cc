#include "serving/stream_capture.h"

namespace braid::serving {

lake::CaptureOptions CaptureOptionsFor(const sql::StreamDefinition& definition,
                                       const std::filesystem::path& data_dir) {
  lake::CaptureOptions options;
  options.files.table_dir = data_dir / "lake" / CanonicalIdentifier(definition.name);
  options.files.stream_schema = definition.schema;
  if (definition.partition_key) {
    if (std::optional<size_t> key = definition.schema->FindField(*definition.partition_key)) {
      options.files.sort_columns.push_back(*key);
    }
  }
  if (definition.timestamp) {
    options.files.timestamp_column = definition.schema->FindField(*definition.timestamp);
    if (options.files.timestamp_column) {
      options.files.sort_columns.push_back(*options.files.timestamp_column);
    }
  }
  return options;
}

}  // namespace braid::serving
