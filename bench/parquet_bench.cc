// Parquet write and full scan of telemetry rows (the schema of API.md's example stream) with
// zstd, beside DuckDB doing the same in the same run: DuckDB copies Braid's file into a file of
// its own (its write speed), then both files are scanned by Braid (decode into Chunks, summing
// every column) and by DuckDB (SELECT of count/sum/max over every column, at 1 thread and at
// its default thread count). DuckDB runs through tests/oracle/duckdb_query.mjs (node), which
// times each statement inside node. A plain main rather than Google Benchmark: each figure is
// one long run compared with its reference.
//
// Usage: parquet_bench [--rows=N] [--dir=PATH] [--source=BRAID_SOURCE_DIR]
//   N rows (default 10,000,000); PATH a scratch directory (default /tmp/braid-parquet-bench).
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "cli/iot_generator.h"
#include "duckdb_timing.h"
#include "lake/parquet_reader.h"
#include "lake/parquet_writer.h"

namespace braid::lake {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr size_t kChunkRows = 100'000;
constexpr size_t kDistinctChunks = 20;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// kChunkRows events of telemetry like the seed's (cli/iot_generator.h), 1,000 devices.
Chunk TelemetryChunk(const SchemaPtr& schema, uint64_t seed, Timestamp start) {
  cli::IotGeneratorOptions options;
  options.devices = 1000;
  options.seed = seed;
  options.start = start;
  cli::IotGenerator generator(options);
  Chunk chunk(schema);
  for (size_t c = 0; c < schema->size(); ++c) chunk.mutable_column(c).Reserve(kChunkRows);
  for (size_t r = 0; r < kChunkRows; ++r) cli::IotGenerator::AppendToChunk(generator.Next(), &chunk);
  return chunk;
}

struct ScanTotals {
  int64_t rows = 0;
  int64_t non_null = 0;
  int64_t string_bytes = 0;
  int64_t ts_sum = 0;
  double double_sum = 0;
};

void Accumulate(const Chunk& chunk, ScanTotals* totals) {
  totals->rows += static_cast<int64_t>(chunk.num_rows());
  for (size_t c = 0; c < chunk.num_columns(); ++c) {
    const Column& column = chunk.column(c);
    totals->non_null += static_cast<int64_t>(column.size() - column.null_count());
    switch (column.type()) {
      case DataType::kString: totals->string_bytes += column.arena().size(); break;
      case DataType::kTimestamp:
      case DataType::kBigint:
        for (int64_t v : column.int64s()) totals->ts_sum += v;
        break;
      case DataType::kDouble:
        for (double v : column.doubles()) totals->double_sum += v;
        break;
      case DataType::kBoolean: break;
    }
  }
}

Result<ScanTotals> ScanWithBraid(const fs::path& path) {
  ASSIGN_OR_RETURN(auto reader, ParquetReader::Open(path));
  ScanTotals totals;
  for (size_t g = 0; g < reader->num_row_groups(); ++g) {
    ASSIGN_OR_RETURN(Chunk chunk, reader->ReadRowGroup(g));
    Accumulate(chunk, &totals);
  }
  return totals;
}

Result<ParquetFileSummary> WriteWithBraid(const fs::path& path, size_t rows, double* seconds) {
  SchemaPtr schema = cli::IotGenerator::TelemetrySchema();
  std::vector<Chunk> pool;
  for (size_t i = 0; i < kDistinctChunks; ++i) {
    // 1,000 events per second of event time: each chunk covers the next 100 seconds.
    pool.push_back(TelemetryChunk(
        schema, i + 1, Timestamp{1795392000000000} + Duration::Seconds(100 * static_cast<int64_t>(i))));
  }
  ParquetWriterOptions options;  // zstd level 3, 1 Mi-row groups, 1 MiB pages, dictionary auto
  double elapsed = 0;
  auto start = Clock::now();
  ASSIGN_OR_RETURN(auto writer, ParquetWriter::Open(path, schema, options));
  elapsed += SecondsSince(start);
  for (size_t written = 0, i = 0; written < rows; written += kChunkRows, ++i) {
    Chunk copy = pool[i % kDistinctChunks];  // not timed: a caller would move its chunk in
    start = Clock::now();
    RETURN_IF_ERROR(writer->Write(std::move(copy)));
    elapsed += SecondsSince(start);
  }
  start = Clock::now();
  ASSIGN_OR_RETURN(ParquetFileSummary summary, writer->Close());
  *seconds = elapsed + SecondsSince(start);
  return summary;
}

std::string ScanSql(const fs::path& file) {
  return fmt::format(
      "SELECT count(*), count(user_id), count(session_duration), count(revenue), "
      "sum(epoch_us(event_ts)), sum(temperature), sum(energy_consumed), sum(session_duration), "
      "sum(revenue), max(device_id), max(user_id), max(event_type) FROM read_parquet('{}')",
      file.string());
}

void PrintRow(const char* what, double seconds, size_t rows, uint64_t bytes) {
  fmt::print("{:<44} {:>8.3f} s {:>8.2f} M rows/s {:>8.1f} MB/s\n", what, seconds,
             static_cast<double>(rows) / seconds / 1e6, static_cast<double>(bytes) / seconds / 1e6);
}

int Run(size_t rows, const fs::path& dir, const fs::path& source) {
  fs::create_directories(dir);
  fs::path ours = dir / "braid.parquet", theirs = dir / "duckdb.parquet";
  double write_seconds = 0;
  Result<ParquetFileSummary> summary = WriteWithBraid(ours, rows, &write_seconds);
  if (!summary.ok()) {
    fmt::print(stderr, "write failed: {}\n", summary.status().ToString());
    return 1;
  }
  fmt::print("{} rows, zstd; sizes: braid {:.1f} MB", rows, summary->file_size / 1e6);
  std::vector<double> duck = bench::DuckDbTimings(
      source, {fmt::format("COPY (SELECT * FROM read_parquet('{}')) TO '{}' (FORMAT parquet, "
                           "COMPRESSION zstd)", ours.string(), theirs.string()),
               "SET threads = 1", ScanSql(ours), ScanSql(theirs), "RESET threads", ScanSql(ours),
               ScanSql(theirs)});
  uint64_t their_size = fs::exists(theirs) ? fs::file_size(theirs) : 0;
  fmt::print(", duckdb {:.1f} MB\n", their_size / 1e6);
  PrintRow("braid write (1 thread)", write_seconds, rows, summary->file_size);
  for (const fs::path& file : {ours, theirs}) {
    if (!fs::exists(file)) continue;
    auto start = Clock::now();
    Result<ScanTotals> totals = ScanWithBraid(file);
    double seconds = SecondsSince(start);
    if (!totals.ok()) {
      fmt::print(stderr, "scan failed: {}\n", totals.status().ToString());
      return 1;
    }
    PrintRow(fmt::format("braid scan of {} (1 thread)", file.filename().string()).c_str(),
             seconds, static_cast<size_t>(totals->rows), fs::file_size(file));
  }
  if (duck.size() != 7) {
    fmt::print("duckdb: not run (install the oracle with scripts/deps.sh)\n");
    return 0;
  }
  PrintRow("duckdb COPY braid.parquet -> duckdb.parquet", duck[0] / 1e3, rows, their_size);
  const char* names[] = {"duckdb scan of braid.parquet (1 thread)",
                         "duckdb scan of duckdb.parquet (1 thread)",
                         "duckdb scan of braid.parquet (default threads)",
                         "duckdb scan of duckdb.parquet (default threads)"};
  size_t index[] = {2, 3, 5, 6};
  for (int i = 0; i < 4; ++i) {
    PrintRow(names[i], duck[index[i]] / 1e3, rows,
             i % 2 == 0 ? summary->file_size : their_size);
  }
  return 0;
}

}  // namespace
}  // namespace braid::lake

int main(int argc, char** argv) {
  size_t rows = 10'000'000;
  std::filesystem::path dir = "/tmp/braid-parquet-bench";
  const char* env_source = std::getenv("BRAID_SOURCE_DIR");
  std::filesystem::path source = env_source ? env_source : BRAID_SOURCE_DIR;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.starts_with("--rows=")) rows = std::strtoull(arg.c_str() + 7, nullptr, 10);
    if (arg.starts_with("--dir=")) dir = arg.substr(6);
    if (arg.starts_with("--source=")) source = arg.substr(9);
  }
  return braid::lake::Run(rows, dir, source);
}
