#include "batch/batch_view_table.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "batch/hash_aggregator.h"
#include "batch/parallel_indices.h"
#include "common/json_writer.h"
#include "common/time.h"
#include "common/version.h"
#include "lake/data_file.h"
#include "lake/delta_table.h"
#include "lake/parquet_reader.h"

namespace braid::batch {
namespace {

namespace fs = std::filesystem;
namespace dom = simdjson::dom;

constexpr std::string_view kWindowDateColumn = "window_date";
lake::TableSchema ViewTableSchema(const sql::ViewPlan& plan) {
  lake::TableSchema schema;
  schema.data = BatchViewSchema(plan);
  if (plan.window)
    schema.partition.push_back({std::string(kWindowDateColumn), lake::PartitionType::kDate});
  return schema;
}

// The window_end range of a file's rows, in its tags (decimal microseconds).
constexpr std::string_view kWindowEndMinTag = "braid.windowEndMin";
constexpr std::string_view kWindowEndMaxTag = "braid.windowEndMax";

std::optional<int64_t> IntegerTag(const lake::DeltaAddFile& add, std::string_view tag) {
  auto it = add.tags.find(std::string(tag));
  if (it == add.tags.end()) return std::nullopt;
  int64_t value = 0;
  const std::string& text = it->second;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The date partition of an active file ("" in a view without a window).
std::string DateOf(const lake::DeltaAddFile& add) {
  auto it = add.partition_values.find(std::string(kWindowDateColumn));
  return it == add.partition_values.end() || !it->second ? std::string() : *it->second;
}

Status BadCommitInfo(int64_t version, std::string_view what) {
  return Status(StatusCode::kCorruption,
                fmt::format("batch view commit {}: commitInfo {}", version, what));
}

// The horizon a snapshot records (epoch 0 when no batch commit exists yet).
Result<BatchHorizon> HorizonOf(const lake::DeltaSnapshot& snapshot) {
  std::optional<lake::AppTransaction> txn = snapshot.TransactionOf(std::string(kBatchAppId));
  BatchHorizon horizon;
  if (!txn) {
    horizon.table_version = snapshot.version();
    return horizon;
  }
  dom::parser parser;
  dom::element info;
  if (parser.parse(txn->commit_info.data(), txn->commit_info.size()).get(info)) {
    return BadCommitInfo(txn->commit_version, "is missing or not JSON");
  }
  horizon.table_version = txn->commit_version;
  dom::array offsets;
  std::string_view hash;
  if (info["braidBatch"]["epoch"].get_int64().get(horizon.epoch) != simdjson::SUCCESS ||
      info["braidBatch"]["endOffsets"].get_array().get(offsets) != simdjson::SUCCESS ||
      info["braidBatch"]["definitionHash"].get_string().get(hash) != simdjson::SUCCESS) {
    return BadCommitInfo(txn->commit_version, "lacks braidBatch.epoch, endOffsets or hash");
  }
  if (horizon.epoch != txn->version)
    return BadCommitInfo(txn->commit_version, "disagrees with its txn");
  auto [end, error] =
      std::from_chars(hash.data(), hash.data() + hash.size(), horizon.definition_hash, 16);
  if (error != std::errc() || end != hash.data() + hash.size()) {
    return BadCommitInfo(txn->commit_version, "has a bad definitionHash");
  }
  for (dom::element offset : offsets) {
    uint64_t value = 0;
    if (offset.get_uint64().get(value) != simdjson::SUCCESS) {
      return BadCommitInfo(txn->commit_version, "has a bad end offset");
    }
    horizon.end_offsets.push_back(value);
  }
  return horizon;
}

std::string BatchCommitInfo(const BatchHorizon& horizon, size_t dates) {
  JsonWriter json;
  json.BeginObject().Key("timestamp").Int(Now().micros / 1000);
  json.Key("operation").String("WRITE").Key("operationParameters").BeginObject();
  json.Key("mode").String("Overwrite").Key("replacedDates").Uint(dates).EndObject();
  json.Key("isBlindAppend").Bool(false).Key("engineInfo").String("Braid/" + VersionString());
  json.Key("braidBatch").BeginObject().Key("epoch").Int(horizon.epoch);
  json.Key("endOffsets").BeginArray();
  for (uint64_t offset : horizon.end_offsets) json.Uint(offset);
  json.EndArray().Key("definitionHash").String(fmt::format("{:016x}", horizon.definition_hash));
  json.EndObject().EndObject();
  return json.Take();
}

// The rows of `chunk` per window date ("" for a view without a window), in order; dates are
// formatted once per day, not per row.
std::map<std::string, std::vector<uint32_t>> RowsOfDates(const sql::ViewPlan& plan,
                                                         const Chunk& chunk) {
  std::map<std::string, std::vector<uint32_t>> rows;
  if (!plan.window) {
    std::vector<uint32_t>& all = rows[std::string()];
    for (size_t row = 0; row < chunk.num_rows(); ++row) all.push_back(static_cast<uint32_t>(row));
    return rows;
  }
  std::map<int64_t, std::vector<uint32_t>> days;
  const std::span<const int64_t> ends = chunk.column(plan.window_start_index() + 1).int64s();
  for (size_t row = 0; row < ends.size(); ++row) {
    days[DayOf(ends[row])].push_back(static_cast<uint32_t>(row));
  }
  for (auto& [day, selected] : days) {
    rows[WindowDate(Timestamp{day * kMicrosPerDay})] = std::move(selected);
  }
  return rows;
}

// Splits `rows` by window date, keeping their order; every date must be in `dates` (unless
// null). A chunk of one date (as HashAggregator::Finish makes them) moves whole; others are
// split row by row.
Result<std::map<std::string, std::vector<Chunk>>> RowsByDate(const sql::ViewPlan& plan,
                                                             const std::set<std::string>* dates,
                                                             std::vector<Chunk> rows) {
  std::map<std::string, std::vector<Chunk>> by_date;
  for (Chunk& chunk : rows) {
    if (chunk.num_rows() == 0) continue;
    std::map<std::string, std::vector<uint32_t>> selections = RowsOfDates(plan, chunk);
    for (const auto& [date, selected] : selections) {
      if (dates != nullptr && !dates->contains(date)) {
        return Status(StatusCode::kInvalidArgument,
                      fmt::format("view {}: a row of window date '{}' is not among the replaced "
                                  "dates",
                                  plan.name, date));
      }
    }
    if (selections.size() == 1) {
      by_date[selections.begin()->first].push_back(std::move(chunk));
      continue;
    }
    for (const auto& [date, selected] : selections) {
      by_date[date].push_back(chunk.Select(selected));
    }
  }
  return by_date;
}

lake::ParquetWriterOptions ViewFileOptions(const sql::ViewPlan& plan) {
  lake::ParquetWriterOptions options;
  // Batch views are rewritten by every refresh, and their state columns (hashes, doubles) hardly
  // compress: Snappy writes them several times faster than zstd for slightly larger files.
  options.codec = lake::CompressionCodec::kSnappy;
  for (size_t i = 0; i < plan.aggregates.size(); ++i) {
    options.binary_columns.push_back(fmt::format("_state_{}", i));
  }
  return options;
}

void DeleteWritten(const fs::path& dir, const std::vector<lake::DeltaAddFile>& adds) {
  for (const lake::DeltaAddFile& add : adds) {
    std::error_code ignored;  // an undeletable file is an orphan that VACUUM removes later
    fs::remove(dir / add.path, ignored);
  }
}

// One data file to write: its date and rows.
struct FileToWrite {
  std::string date;
  std::vector<Chunk> rows;
};

// The files of `by_date`: each date's chunks in order, cut into files of about `rows_per_file` rows
// (whole chunks), so that large dates are written by several threads and a later refresh of a
// few windows reads and rewrites less.
std::vector<FileToWrite> PlanFiles(std::map<std::string, std::vector<Chunk>> by_date,
                                   size_t rows_per_file) {
  std::vector<FileToWrite> files;
  for (auto& [date, chunks] : by_date) {
    size_t rows_in_file = 0;
    for (size_t i = 0; i < chunks.size(); ++i) {
      if (i == 0 || rows_in_file + chunks[i].num_rows() > rows_per_file) {
        files.push_back(FileToWrite{date, {}});
        rows_in_file = 0;
      }
      rows_in_file += chunks[i].num_rows();
      files.back().rows.push_back(std::move(chunks[i]));
    }
  }
  return files;
}

// Writes the files of `by_date` on `threads` threads into the commit's adds (in date order).
Status WriteDateFiles(const fs::path& dir, const sql::ViewPlan& plan, int64_t epoch,
                      std::map<std::string, std::vector<Chunk>> by_date, size_t threads,
                      size_t rows_per_file, lake::DeltaCommit* commit) {
  const lake::ParquetWriterOptions options = ViewFileOptions(plan);
  std::vector<FileToWrite> files = PlanFiles(std::move(by_date), rows_per_file);
  std::vector<std::optional<lake::DeltaAddFile>> written(files.size());
  Status status = ForEachIndexOnThreads(files.size(), threads, [&](size_t i) -> Status {
    lake::DeltaAddFile add;
    // Numbered so that a date's files list (and read) in row order.
    const std::string name = fmt::format("part-{:08}-{:05}-{}.parquet", epoch, i, lake::NewGuid());
    if (plan.window) {
      add.partition_values = {{std::string(kWindowDateColumn), files[i].date}};
      add.path = fmt::format("{}={}/{}", kWindowDateColumn, files[i].date, name);
      int64_t min = INT64_MAX, max = INT64_MIN;
      for (const Chunk& chunk : files[i].rows) {
        for (int64_t end : chunk.column(plan.window_start_index() + 1).int64s()) {
          min = std::min(min, end);
          max = std::max(max, end);
        }
      }
      add.tags[std::string(kWindowEndMinTag)] = std::to_string(min);
      add.tags[std::string(kWindowEndMaxTag)] = std::to_string(max);
    } else {
      add.path = name;
    }
    ASSIGN_OR_RETURN(written[i],
                     lake::WriteDataFile(dir, std::move(add), std::move(files[i].rows), options));
    return Status::Ok();
  });
  for (std::optional<lake::DeltaAddFile>& add : written) {
    if (add) commit->adds.push_back(std::move(*add));
  }
  if (!status.ok()) DeleteWritten(dir, commit->adds);
  return status;
}

// Creates the table (protocol and metaData) unless another writer did.
Status CreateTable(const lake::DeltaTable& table, const sql::ViewPlan& plan) {
  lake::DeltaCommit commit;
  commit.protocol = lake::DeltaProtocol{};
  commit.metadata = lake::DeltaMetadata{.id = lake::NewGuid(),
                                        .schema = ViewTableSchema(plan),
                                        .configuration = {},
                                        .created_time_ms = Now().micros / 1000};
  commit.commit_info = fmt::format(
      R"({{"timestamp":{},"operation":"CREATE TABLE","operationParameters":{{}},"isBlindAppend":true}})",
      Now().micros / 1000);
  Result<int64_t> version = table.Commit(lake::DeltaSnapshot(), commit);
  if (version.ok() || version.status().code() == StatusCode::kDuplicateObject) {
    return Status::Ok();
  }
  return version.status();
}

}  // namespace

std::string WindowDate(Timestamp window_end) { return FormatDate(window_end); }

Result<BatchViewTable> BatchViewTable::Open(const fs::path& data_dir, sql::ViewPlanPtr plan,
                                            int64_t version) {
  BatchViewTable view;
  view.dir_ = data_dir / "views" / CanonicalIdentifier(plan->name) / fmt::format("v{}", version);
  const lake::DeltaTable table(view.dir_);
  ASSIGN_OR_RETURN(lake::DeltaSnapshot snapshot, table.LoadSnapshot());
  if (!snapshot.exists()) {
    RETURN_IF_ERROR(CreateTable(table, *plan));
    ASSIGN_OR_RETURN(snapshot, table.LoadSnapshot());
  }
  const lake::TableSchema wanted = ViewTableSchema(*plan);
  const lake::TableSchema& stored = snapshot.metadata().schema;
  if (!(*stored.data == *wanted.data) || stored.partition != wanted.partition) {
    return Status(StatusCode::kTypeMismatch,
                  fmt::format("batch view table {} does not hold view {}'s columns",
                              view.dir_.string(), plan->name));
  }
  view.plan_ = std::move(plan);
  return view;
}

Result<BatchHorizon> BatchViewTable::Horizon() const {
  ASSIGN_OR_RETURN(lake::DeltaSnapshot snapshot, lake::DeltaTable(dir_).LoadSnapshot());
  return HorizonOf(snapshot);
}

Result<std::vector<Chunk>> BatchViewTable::Read(
    const std::optional<std::set<std::string>>& dates) const {
  ASSIGN_OR_RETURN(lake::DeltaSnapshot snapshot, lake::DeltaTable(dir_).LoadSnapshot());
  // By date, then by the first window_end a file holds (refreshes add files of later epochs
  // anywhere in a date), then by name.
  std::vector<std::tuple<std::string, int64_t, std::string>> ordered;
  for (const auto& [encoded, add] : snapshot.files()) {
    if (dates && !dates->contains(DateOf(add))) continue;
    ordered.emplace_back(DateOf(add), IntegerTag(add, kWindowEndMinTag).value_or(INT64_MIN),
                         encoded);
  }
  std::sort(ordered.begin(), ordered.end());
  std::vector<std::string> files;
  for (auto& [date, first_end, encoded] : ordered) files.push_back(std::move(encoded));
  return ReadFiles(files);
}

Result<std::vector<Chunk>> BatchViewTable::ReadFiles(const std::vector<std::string>& files) const {
  const SchemaPtr schema = BatchViewSchema(*plan_);
  std::vector<Chunk> chunks;
  for (const std::string& encoded : files) {
    ASSIGN_OR_RETURN(std::string path, lake::DecodeDataFilePath(encoded));
    ASSIGN_OR_RETURN(std::unique_ptr<lake::ParquetReader> reader,
                     lake::ParquetReader::Open(dir_ / path));
    for (size_t group = 0; group < reader->num_row_groups(); ++group) {
      ASSIGN_OR_RETURN(Chunk rows, reader->ReadRowGroupAs(group, schema));
      if (rows.num_rows() > 0) chunks.push_back(std::move(rows));
    }
  }
  return chunks;
}

Result<StoredCells> BatchViewTable::ReadCellsOf(size_t new_cells,
                                                const std::set<int64_t>& ends) const {
  ASSIGN_OR_RETURN(lake::DeltaSnapshot snapshot, lake::DeltaTable(dir_).LoadSnapshot());
  StoredCells stored;
  stored.table_version = snapshot.version();
  if (new_cells == 0) return stored;
  std::set<std::string> dates;
  for (int64_t end : ends) dates.insert(WindowDate(Timestamp{end}));
  for (const auto& [encoded, add] : snapshot.files()) {
    bool holds = !plan_->window;
    if (plan_->window) {
      const std::optional<int64_t> min = IntegerTag(add, kWindowEndMinTag);
      const std::optional<int64_t> max = IntegerTag(add, kWindowEndMaxTag);
      if (min && max) {
        auto it = ends.lower_bound(*min);
        holds = it != ends.end() && *it <= *max;
      } else {
        holds = dates.contains(DateOf(add));  // a file without tags: any window of its date
      }
    }
    if (holds) stored.files.push_back(encoded);
  }
  ASSIGN_OR_RETURN(stored.rows, ReadFiles(stored.files));
  return stored;
}

Result<BatchViewTable::WindowRange> BatchViewTable::ReadWindowRange(int64_t low,
                                                                    int64_t high) const {
  ASSIGN_OR_RETURN(lake::DeltaSnapshot snapshot, lake::DeltaTable(dir_).LoadSnapshot());
  WindowRange range;
  ASSIGN_OR_RETURN(range.horizon, HorizonOf(snapshot));
  if (!plan_->window || high <= low) return range;
  const std::string first_date =
      low == INT64_MIN ? std::string() : WindowDate(Timestamp{low});
  const std::string last_date = WindowDate(Timestamp{high - 1});
  std::vector<std::string> files;
  for (const auto& [encoded, add] : snapshot.files()) {
    const std::optional<int64_t> min = IntegerTag(add, kWindowEndMinTag);
    const std::optional<int64_t> max = IntegerTag(add, kWindowEndMaxTag);
    const bool meets = min && max ? *min < high && *max >= low
                                  : DateOf(add) >= first_date && DateOf(add) <= last_date;
    if (meets) files.push_back(encoded);
  }
  ASSIGN_OR_RETURN(std::vector<Chunk> rows, ReadFiles(files));
  const size_t end_column = plan_->keys.size() + 1;
  for (const Chunk& chunk : rows) {
    std::span<const int64_t> ends = chunk.column(end_column).int64s();
    std::vector<uint32_t> selected;
    for (uint32_t row = 0; row < chunk.num_rows(); ++row) {
      if (ends[row] >= low && ends[row] < high) selected.push_back(row);
    }
    if (selected.empty()) continue;
    range.rows.push_back(selected.size() == chunk.num_rows() ? chunk : chunk.Select(selected));
  }
  return range;
}

Result<StoredCells> BatchViewTable::ListFiles() const {
  ASSIGN_OR_RETURN(lake::DeltaSnapshot snapshot, lake::DeltaTable(dir_).LoadSnapshot());
  StoredCells stored;
  stored.table_version = snapshot.version();
  for (const auto& [encoded, add] : snapshot.files()) stored.files.push_back(encoded);
  return stored;
}

Result<bool> BatchViewTable::Rewrite(const StoredCells& replaced, std::vector<Chunk> rows,
                                     const BatchHorizon& horizon, size_t threads,
                                     size_t rows_per_file) {
  ASSIGN_OR_RETURN(lake::DeltaSnapshot snapshot, lake::DeltaTable(dir_).LoadSnapshot());
  if (snapshot.version() != replaced.table_version) {
    ASSIGN_OR_RETURN(BatchHorizon current, HorizonOf(snapshot));
    if (current.epoch >= horizon.epoch) return false;
    return Status(StatusCode::kDuplicateObject,
                  fmt::format("batch view table {} changed from version {} to {} while it was "
                              "being refreshed",
                              dir_.string(), replaced.table_version, snapshot.version()));
  }
  return CommitFiles(snapshot, replaced.files, std::move(rows), nullptr, horizon, threads,
                     rows_per_file);
}

Result<bool> BatchViewTable::Replace(const std::set<std::string>& dates, std::vector<Chunk> rows,
                                     const BatchHorizon& horizon, size_t threads,
                                     size_t rows_per_file) {
  ASSIGN_OR_RETURN(lake::DeltaSnapshot snapshot, lake::DeltaTable(dir_).LoadSnapshot());
  std::vector<std::string> removed;
  for (const auto& [path, add] : snapshot.files()) {
    if (dates.contains(DateOf(add))) removed.push_back(path);
  }
  return CommitFiles(snapshot, removed, std::move(rows), &dates, horizon, threads, rows_per_file);
}

Result<bool> BatchViewTable::CommitFiles(const lake::DeltaSnapshot& snapshot,
                                         const std::vector<std::string>& removed,
                                         std::vector<Chunk> rows,
                                         const std::set<std::string>* dates,
                                         const BatchHorizon& horizon, size_t threads,
                                         size_t rows_per_file) {
  const lake::DeltaTable table(dir_);
  ASSIGN_OR_RETURN(BatchHorizon current, HorizonOf(snapshot));
  if (current.epoch >= horizon.epoch) return false;
  ASSIGN_OR_RETURN(auto by_date, RowsByDate(*plan_, dates, std::move(rows)));
  lake::DeltaCommit commit;
  RETURN_IF_ERROR(WriteDateFiles(dir_, *plan_, horizon.epoch, std::move(by_date), threads,
                                 rows_per_file, &commit));
  const int64_t now_ms = Now().micros / 1000;
  std::set<std::string> replaced_dates;
  for (const std::string& path : removed) {
    commit.removes.push_back({path, now_ms, true});
    auto it = snapshot.files().find(path);
    if (it != snapshot.files().end()) replaced_dates.insert(DateOf(it->second));
  }
  for (const lake::DeltaAddFile& add : commit.adds) replaced_dates.insert(DateOf(add));
  commit.txns.push_back(lake::DeltaTxn{std::string(kBatchAppId), horizon.epoch});
  commit.commit_info = BatchCommitInfo(horizon, replaced_dates.size());
  Result<int64_t> version = table.Commit(snapshot, commit);
  if (version.ok()) return true;
  DeleteWritten(dir_, commit.adds);
  if (version.status().code() != StatusCode::kDuplicateObject) return version.status();
  // Another writer committed first: done if it absorbed this horizon, else the conflict stands.
  ASSIGN_OR_RETURN(lake::DeltaSnapshot latest, table.LoadSnapshot());
  ASSIGN_OR_RETURN(BatchHorizon winner, HorizonOf(latest));
  if (winner.epoch >= horizon.epoch) return false;
  return version.status();
}

}  // namespace braid::batch
