// The capture settings of a stream as its definition implies them (DESIGN.md lake/, API.md data
// directory): its lake table is DATA/lake/{stream} (the lower-cased name, like its log), the event
// date comes from its `timestamp` column (ingestion time when it has none), and data files are
// sorted by (partition_key, timestamp), whichever of the two the stream has. Pure; thread-safe.
#pragma once

#include <filesystem>

#include "lake/capture.h"
#include "sql/stream_definition.h"

namespace braid::serving {

lake::CaptureOptions CaptureOptionsFor(const sql::StreamDefinition& definition,
                                       const std::filesystem::path& data_dir);

}  // namespace braid::serving
