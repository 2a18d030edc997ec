#include "batch/kept_rows.h"

#include <algorithm>
#include <numeric>
#include <utility>

#include "batch/batch_view_rows.h"

namespace braid::batch {

KeptRows::KeptRows(SchemaPtr schema, size_t first_empty, size_t max_rows)
    : first_empty_(first_empty), max_rows_(max_rows), rows_(schema) {}

void KeptRows::Find(std::span<const uint32_t> groups, std::span<const uint64_t> versions,
                    Chunk* found, std::vector<uint32_t>* missing, uint64_t stored) {
  std::vector<uint32_t> hit_rows;
  hit_rows.reserve(groups.size());
  std::lock_guard lock(mu_);
  for (uint32_t k = 0; k < groups.size(); ++k) {
    const uint32_t row = RowOfGroup(groups[k]);
    if (row != kNoRow && of_row_[row].version == versions[k] && of_row_[row].stored == stored) {
      hit_rows.push_back(row);
      of_row_[row].found_since_drop = true;
    } else {
      missing->push_back(k);
    }
  }
  hits_.fetch_add(hit_rows.size(), std::memory_order_relaxed);
  // A key's cells are kept together and asked for in the same order: the hits are mostly one
  // run of rows, copied in bulk.
  found->AppendRowsOf(rows_, hit_rows, first_empty_);
}

void KeptRows::Keep(const Chunk& from, std::span<const uint32_t> rows,
                    std::span<const uint32_t> groups, std::span<const uint64_t> versions,
                    uint64_t stored) {
  misses_.fetch_add(rows.size(), std::memory_order_relaxed);
  if (rows.empty() || rows.size() > max_rows_) return;
  std::lock_guard lock(mu_);
  if (rows_.num_rows() + rows.size() > max_rows_) DropRowsLocked(rows.size());
  const auto first = static_cast<uint32_t>(rows_.num_rows());
  rows_.AppendRowsOf(from, rows, first_empty_);
  for (uint32_t k = 0; k < groups.size(); ++k) {
    if (groups[k] >= of_group_.size()) of_group_.resize(size_t{groups[k]} + 1, kNoRow);
    of_group_[groups[k]] = first + k;
    of_row_.push_back(RowOf{
        .group = groups[k], .version = versions[k], .stored = stored, .found_since_drop = false});
  }
  memory_bytes_.store(rows_.MemoryBytes() + of_row_.capacity() * sizeof(RowOf) +
                          of_group_.capacity() * sizeof(uint32_t),
                      std::memory_order_relaxed);
}

void KeptRows::DropRowsLocked(size_t room) {
  // The rows of_group_ still names (a replaced row is named by none) move together; when they
  // alone leave too little room, only those found since the last drop do, and when even those
  // leave too little room, every row goes.
  const size_t keep_at_most = max_rows_ / 2;
  size_t named = 0, found = 0;
  for (uint32_t row = 0; row < of_row_.size(); ++row) {
    if (!Named(row)) continue;
    ++named;
    found += of_row_[row].found_since_drop ? 1 : 0;
  }
  const bool only_found = named + room > keep_at_most;
  if (only_found && found + room > keep_at_most) {
    rows_ = Chunk(rows_.schema());
    of_row_.clear();
    of_group_.clear();
    return;
  }
  std::vector<uint32_t> live;
  std::vector<RowOf> live_of_row;
  for (uint32_t row = 0; row < of_row_.size(); ++row) {
    if (!Named(row)) continue;
    const RowOf& of = of_row_[row];
    if (only_found && !of.found_since_drop) {
      of_group_[of.group] = kNoRow;
      continue;
    }
    live.push_back(row);
    live_of_row.push_back(of);
    live_of_row.back().found_since_drop = false;
  }
  for (uint32_t row = 0; row < live.size(); ++row) of_group_[live_of_row[row].group] = row;
  rows_ = rows_.Select(live);
  of_row_ = std::move(live_of_row);
}

size_t KeptRows::rows() const {
  std::lock_guard lock(mu_);
  return rows_.num_rows();
}

namespace {

// A row of one of several chunks of one schema.
struct RowAt {
  const Chunk* chunk;
  uint32_t row;
};

// The rows `order` lists, in that order, in one chunk of `schema` with room for one more column
// (the serving layer adds `_source`). Consecutive rows of one chunk are copied as one range.
Chunk GatherRows(const SchemaPtr& schema, std::span<const RowAt> order) {
  struct Run {
    const Chunk* chunk;
    uint32_t begin;
    uint32_t count;
  };
  std::vector<Run> runs;
  for (const RowAt& at : order) {
    if (!runs.empty() && runs.back().chunk == at.chunk &&
        runs.back().begin + runs.back().count == at.row) {
      ++runs.back().count;
    } else {
      runs.push_back(Run{.chunk = at.chunk, .begin = at.row, .count = 1});
    }
  }
  std::vector<Column> columns;
  columns.reserve(schema->size() + 1);
  for (size_t c = 0; c < schema->size(); ++c) {
    Column& column = columns.emplace_back(schema->field(c).type);
    column.Reserve(order.size());
    for (const Run& run : runs) column.AppendRange(run.chunk->column(c), run.begin, run.count);
  }
  Result<Chunk> rows = Chunk::Make(schema, std::move(columns));
  BRAID_DCHECK(rows.ok());
  return std::move(*rows);
}

bool InRowOrder(const sql::ViewPlan& plan, const Chunk& rows) {
  for (size_t r = 1; r < rows.num_rows(); ++r) {
    if (!RowBefore(plan, rows, r - 1, rows, r)) return false;
  }
  return true;
}

}  // namespace

Chunk EmptyRowsWithRoom(const SchemaPtr& schema) {
  std::vector<Column> columns;
  columns.reserve(schema->size() + 1);
  for (const Field& field : schema->fields()) columns.emplace_back(field.type);
  Result<Chunk> rows = Chunk::Make(schema, std::move(columns));
  BRAID_DCHECK(rows.ok());
  return std::move(*rows);
}

void MergeKeptRows(const sql::ViewPlan& plan, Chunk kept, std::vector<uint8_t> kept_with_stored,
                   std::vector<Chunk>* rows, std::vector<uint8_t>* with_stored) {
  BRAID_DCHECK(kept_with_stored.size() == kept.num_rows());
  const bool kept_in_order = InRowOrder(plan, kept);
  const Chunk* first_built = nullptr;
  for (const Chunk& chunk : *rows) {
    if (chunk.num_rows() > 0 && first_built == nullptr) first_built = &chunk;
  }
  std::vector<uint8_t> flags = std::move(kept_with_stored);
  if (kept_in_order && (first_built == nullptr ||
                        RowBefore(plan, kept, kept.num_rows() - 1, *first_built, 0))) {
    for (const Chunk& chunk : *rows) {
      for (size_t c = 0; c < kept.num_columns(); ++c) {
        kept.mutable_column(c).AppendRange(chunk.column(c), 0, chunk.num_rows());
      }
    }
    flags.insert(flags.end(), with_stored->begin(), with_stored->end());
    rows->clear();
    rows->push_back(std::move(kept));
    *with_stored = std::move(flags);
    return;
  }
  std::vector<RowAt> order;
  order.reserve(kept.num_rows() + with_stored->size());
  for (uint32_t r = 0; r < kept.num_rows(); ++r) order.push_back(RowAt{&kept, r});
  for (const Chunk& chunk : *rows) {
    for (uint32_t r = 0; r < chunk.num_rows(); ++r) order.push_back(RowAt{&chunk, r});
  }
  std::vector<uint32_t> by_row(order.size());
  std::iota(by_row.begin(), by_row.end(), 0u);
  std::sort(by_row.begin(), by_row.end(), [&](uint32_t a, uint32_t b) {
    return RowBefore(plan, *order[a].chunk, order[a].row, *order[b].chunk, order[b].row);
  });
  std::vector<RowAt> sorted;
  sorted.reserve(order.size());
  std::vector<uint8_t> sorted_flags;
  sorted_flags.reserve(order.size());
  for (const uint32_t i : by_row) {
    sorted.push_back(order[i]);
    sorted_flags.push_back(i < kept.num_rows() ? flags[i] : (*with_stored)[i - kept.num_rows()]);
  }
  Chunk all = GatherRows(kept.schema(), sorted);
  rows->clear();
  rows->push_back(std::move(all));
  *with_stored = std::move(sorted_flags);
}

}  // namespace braid::batch
