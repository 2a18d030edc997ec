// Schema evolution of stored Chunks: a stream's schema only ever grows by nullable columns
// appended at the end (ALTER STREAM ... ADD COLUMN), so a Chunk stored under an older schema (a
// log batch, a Parquet file) is read under the current one by matching columns by name
// (case-insensitively) and filling the columns it lacks with NULL. This is the one place that
// rule is written; the log's readers, capture and the lake's readers all go through it.
// Pure functions; thread-safe.
#pragma once

#include "common/chunk.h"
#include "common/schema.h"
#include "common/status.h"

namespace braid {

// `chunk` as a Chunk of `target`: each target column is the chunk's column of the same name
// (moved, not copied) or, when the chunk has none, all NULL. The result's schema is `target`
// itself (the same pointer), so callers may compare schemas by pointer. Errors (kTypeMismatch,
// naming the column): a column of the chunk that `target` lacks (projecting would drop data), a
// column whose type differs, a missing column that `target` declares NOT NULL, or NULLs in a column
// `target` declares NOT NULL.
Result<Chunk> ProjectChunk(Chunk chunk, const SchemaPtr& target);

// Whether `next` extends `current` the way ALTER STREAM may: the same columns first, in order and
// equal, then only nullable columns. Equal schemas extend each other.
bool SchemaExtends(const Schema& next, const Schema& current);

}  // namespace braid
