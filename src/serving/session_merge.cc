#include "serving/session_merge.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "agg/owned_state.h"
#include "batch/batch_view_rows.h"
#include "batch/hash_aggregator.h"
#include "serving/view_cells.h"

namespace braid::serving {
namespace {

struct SessionRow {
  const Chunk* rows;
  size_t row;
  bool speed;
  int64_t start;
  int64_t end;
  std::string key;  // the key cells, type-tagged bytes (exact equality)
};

void AppendKeyCell(const Column& column, size_t row, std::string* key) {
  key->push_back(column.IsValid(row) ? 'v' : 'n');
  if (!column.IsValid(row)) return;
  switch (column.type()) {
    case DataType::kBoolean:
      key->push_back(column.bools()[row] ? '1' : '0');
      return;
    case DataType::kBigint:
    case DataType::kTimestamp:
    case DataType::kDouble: {
      char bytes[8];
      if (column.type() == DataType::kDouble) {
        double value = column.doubles()[row];
        if (value == 0) value = 0;
        std::memcpy(bytes, &value, 8);
      } else {
        std::memcpy(bytes, &column.int64s()[row], 8);
      }
      key->append(bytes, 8);
      return;
    }
    case DataType::kString: {
      const std::string_view text = column.StringAt(row);
      const uint32_t size = static_cast<uint32_t>(text.size());
      key->append(reinterpret_cast<const char*>(&size), 4);
      key->append(text);
      return;
    }
  }
}

void Collect(const sql::ViewPlan& plan, const std::vector<Chunk>& chunks, bool speed,
             std::vector<SessionRow>* out) {
  const size_t keys = plan.keys.size();
  for (const Chunk& rows : chunks) {
    for (size_t r = 0; r < rows.num_rows(); ++r) {
      SessionRow session{&rows, r, speed, rows.column(keys).int64s()[r],
                         rows.column(keys + 1).int64s()[r], {}};
      for (size_t k = 0; k < keys; ++k) AppendKeyCell(rows.column(k), r, &session.key);
      out->push_back(std::move(session));
    }
  }
}


// Appends one merged session (members [first, last) of `sessions`) to the grouped chunk and the
// serialized state columns.
Status AppendMerged(const sql::ViewPlan& plan, std::span<const SessionRow> members,
                    Chunk* grouped, std::vector<Column>* serialized) {
  const size_t keys = plan.keys.size();
  const SessionRow& head = members.front();
  for (size_t k = 0; k < keys; ++k) grouped->mutable_column(k).AppendFrom(head.rows->column(k), head.row);
  int64_t start = head.start, end = head.end;
  for (const SessionRow& member : members) {
    start = std::min(start, member.start);
    end = std::max(end, member.end);
  }
  grouped->mutable_column(keys).AppendInt64(start);
  grouped->mutable_column(keys + 1).AppendInt64(end);
  const size_t first_state = batch::FirstStateColumn(plan);
  for (size_t i = 0; i < plan.aggregates.size(); ++i) {
    const agg::AggregateFunction& function = *plan.aggregates[i].aggregate.function;
    agg::OwnedState merged(function);
    for (const SessionRow& member : members) {
      agg::OwnedState decoded(function);
      Status status = function.deserialize(
          member.rows->column(first_state + i).StringAt(member.row), decoded.get());
      if (!status.ok()) {
        return Status(StatusCode::kCorruption,
                      fmt::format("view {}: a session state: {}", plan.name, status.message()));
      }
      function.merge(merged.get(), decoded.get());
    }
    RETURN_IF_ERROR(function.finalize(merged.get(), plan.aggregates[i].aggregate.params,
                                      &grouped->mutable_column(plan.aggregate_index(i))));
    std::string bytes;
    function.serialize(merged.get(), &bytes);
    (*serialized)[i].AppendString(bytes);
  }
  return Status::Ok();
}


}  // namespace

Result<std::vector<Chunk>> MergeSessions(const sql::ViewPlan& plan,
                                         const std::vector<Chunk>& batch_rows,
                                         const std::vector<Chunk>& speed_rows,
                                         const SchemaPtr& schema) {
  std::vector<SessionRow> sessions;
  Collect(plan, batch_rows, false, &sessions);
  Collect(plan, speed_rows, true, &sessions);
  std::sort(sessions.begin(), sessions.end(), [](const SessionRow& a, const SessionRow& b) {
    return a.key != b.key ? a.key < b.key : a.start < b.start;
  });
  Chunk single(batch::BatchViewSchema(plan));
  std::vector<uint8_t> single_kinds;
  Chunk grouped(plan.grouped_schema);
  std::vector<Column> serialized(plan.aggregates.size(), Column(DataType::kString));
  size_t merged_groups = 0;
  for (size_t first = 0; first < sessions.size();) {
    // A session joins the group when it starts at or before the end of a session of the other
    // layer already in it (sessions of one layer are already final among themselves).
    int64_t end_of[2] = {INT64_MIN, INT64_MIN};
    end_of[sessions[first].speed] = sessions[first].end;
    size_t last = first + 1;
    while (last < sessions.size() && sessions[last].key == sessions[first].key &&
           sessions[last].start <= end_of[!sessions[last].speed]) {
      end_of[sessions[last].speed] = std::max(end_of[sessions[last].speed], sessions[last].end);
      ++last;
    }
    if (last - first == 1) {
      single.AppendRow(*sessions[first].rows, sessions[first].row);
      single_kinds.push_back(sessions[first].speed ? kFromSpeed : kFromBatch);
    } else {
      RETURN_IF_ERROR(AppendMerged(
          plan, std::span<const SessionRow>(sessions.data() + first, last - first), &grouped,
          &serialized));
      ++merged_groups;
    }
    first = last;
  }
  std::vector<Chunk> out;
  if (single.num_rows() > 0) out.push_back(WithSourceColumn(std::move(single), schema, single_kinds));
  if (merged_groups > 0) {
    ASSIGN_OR_RETURN(Chunk merged,
                     batch::BatchViewRowsOfGrouped(plan, grouped, std::move(serialized)));
    out.push_back(WithSourceColumn(std::move(merged), schema, kFromBoth));
  }
  return out;
}

}  // namespace braid::serving
