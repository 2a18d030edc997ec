// `braid sql`, `braid status` and `braid ingest`: thin clients of the HTTP API (API.md). Answers
// are parsed with simdjson, the one JSON parser of the code base.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

#include <fmt/format.h>
#include <simdjson.h>

#include "cli/commands.h"
#include "cli/progress.h"
#include "common/http_client.h"
#include "common/json_writer.h"

namespace braid::cli {

int Fail(std::string_view message) {
  std::fprintf(stderr, "error: %.*s\n", static_cast<int>(message.size()), message.data());
  return 1;
}

int Fail(const Status& status) { return Fail(status.ToString()); }

namespace {

// A member of a parsed answer, or `fallback` when it is absent or of another type.
template <typename T>
T Member(simdjson::simdjson_result<simdjson::dom::element> value, T fallback) {
  T out;
  return value.get(out) == simdjson::SUCCESS ? out : fallback;
}

// Prints the error object of an API answer; returns the exit code 1.
int PrintApiError(const HttpResponse& response) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(response.body).get(doc) != simdjson::SUCCESS) {
    std::fprintf(stderr, "error: HTTP %d: %s\n", response.status, response.body.c_str());
    return 1;
  }
  simdjson::simdjson_result<simdjson::dom::element> error = doc["error"];
  const std::string_view code = Member<std::string_view>(error["code"], "error");
  const std::string_view message = Member<std::string_view>(error["message"], response.body);
  const int64_t line = Member<int64_t>(error["line"], 0);
  const int64_t column = Member<int64_t>(error["column"], 0);
  if (line > 0) {
    std::fprintf(stderr, "error: %.*s at line %lld, column %lld: %.*s\n",
                 static_cast<int>(code.size()), code.data(), static_cast<long long>(line),
                 static_cast<long long>(column), static_cast<int>(message.size()), message.data());
  } else {
    std::fprintf(stderr, "error: %.*s: %.*s\n", static_cast<int>(code.size()), code.data(),
                 static_cast<int>(message.size()), message.data());
  }
  simdjson::dom::array events;
  if (error["events"].get(events) == simdjson::SUCCESS) {
    for (simdjson::dom::element e : events) {
      std::fprintf(stderr, "  %s\n", simdjson::minify(e).c_str());
    }
  }
  return 1;
}

// Parses a 200 answer into *doc and returns 0; otherwise prints why the request failed (transport
// error, the API's error object, or an answer that is not JSON) and returns the exit code 1.
int ReadAnswer(const Result<HttpResponse>& response, simdjson::dom::parser& parser,
               simdjson::dom::element* doc) {
  if (!response.ok()) return Fail(response.status());
  if (response->status != 200) return PrintApiError(*response);
  if (parser.parse(response->body).get(*doc) != simdjson::SUCCESS) {
    return Fail(Status(StatusCode::kInternal, "the server's answer is not JSON"));
  }
  return 0;
}

std::string CellText(simdjson::dom::element value) {
  std::string_view s;
  if (value.get(s) == simdjson::SUCCESS) return std::string(s);
  if (value.is_null()) return "NULL";
  return simdjson::minify(value);
}

void PrintTable(simdjson::dom::element doc) {
  simdjson::dom::array columns, rows;
  if (doc["columns"].get(columns) != simdjson::SUCCESS) return;
  std::vector<std::string> header;
  for (simdjson::dom::element c : columns) header.push_back(CellText(c["name"]));
  if (header.empty()) return;
  std::vector<std::vector<std::string>> cells;
  if (doc["rows"].get(rows) == simdjson::SUCCESS) {
    for (simdjson::dom::element row : rows) {
      std::vector<std::string>& line = cells.emplace_back();
      for (simdjson::dom::element v : row.get_array()) line.push_back(CellText(v));
    }
  }
  std::vector<size_t> width(header.size());
  for (size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
  for (const auto& line : cells) {
    for (size_t i = 0; i < line.size() && i < width.size(); ++i) {
      width[i] = std::max(width[i], line[i].size());
    }
  }
  auto print_line = [&](const std::vector<std::string>& values) {
    std::string out;
    for (size_t i = 0; i < width.size(); ++i) {
      const std::string& v = i < values.size() ? values[i] : std::string();
      out += (i == 0 ? " " : " | ") + v + std::string(width[i] - v.size(), ' ');
    }
    std::puts(out.c_str());
  };
  print_line(header);
  std::string rule;
  for (size_t i = 0; i < width.size(); ++i) rule += (i == 0 ? "-" : "-+-") + std::string(width[i], '-');
  std::puts((rule + "-").c_str());
  for (const auto& line : cells) print_line(line);
  std::printf("(%zu row%s)\n", cells.size(), cells.size() == 1 ? "" : "s");
}

}  // namespace

int RunSql(const SqlCommandOptions& options) {
  Result<std::unique_ptr<HttpClient>> client = HttpClient::Connect(options.server);
  if (!client.ok()) return Fail(client.status());
  JsonWriter body;
  body.BeginObject().Key("sql").String(options.sql);
  if (!options.consistency.empty()) body.Key("consistency").String(options.consistency);
  if (!options.max_staleness.empty()) body.Key("max_staleness").String(options.max_staleness);
  body.EndObject();
  Result<HttpResponse> response =
      (*client)->Request("POST", "/v1/sql", body.str(), "application/json");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (int failed = ReadAnswer(response, parser, &doc); failed != 0) return failed;
  // Like a PostgreSQL NOTICE: the answer came from other layers than asked, and why.
  std::string_view routing;
  if (doc["meta"]["routing"].get(routing) == simdjson::SUCCESS) {
    std::fprintf(stderr, "NOTICE:  %.*s\n", static_cast<int>(routing.size()), routing.data());
  }
  PrintTable(doc);
  std::string_view message;
  if (doc["message"].get(message) == simdjson::SUCCESS && !message.empty()) {
    std::printf("%.*s\n", static_cast<int>(message.size()), message.data());
  }
  return 0;
}

// The views of a status answer, one line each; "-" where the answer has null.
void PrintViewStatus(simdjson::dom::object views) {
  if (views.size() == 0) return;
  std::printf("\n%-24s %8s %8s %-28s %-28s %s\n", "view", "version", "epoch", "batch horizon",
              "speed watermark", "last job");
  for (auto [name, view] : views) {
    std::string_view error;
    if (view["error"].get(error) == simdjson::SUCCESS) {
      std::printf("%-24.*s error: %.*s\n", static_cast<int>(name.size()), name.data(),
                  static_cast<int>(error.size()), error.data());
      continue;
    }
    const int64_t version = Member<int64_t>(view["version"], 0);
    const std::string_view horizon = Member<std::string_view>(view["batch_horizon"], "-");
    const std::string_view watermark = Member<std::string_view>(view["speed_watermark"], "-");
    std::string job = "-";
    simdjson::dom::object last;
    if (view["last_refresh"].get(last) == simdjson::SUCCESS) {
      job = fmt::format("#{} {} {}", Member<int64_t>(last["job"], 0),
                        Member<std::string_view>(last["kind"], "?"),
                        Member<std::string_view>(last["state"], "?"));
    }
    int64_t building = 0;
    if (view["building"].get(building) == simdjson::SUCCESS) {
      job += fmt::format(", building v{}", building);
    }
    std::printf("%-24.*s %8s %8lld %-28.*s %-28.*s %s\n", static_cast<int>(name.size()),
                name.data(), version > 0 ? std::to_string(version).c_str() : "-",
                static_cast<long long>(Member<int64_t>(view["batch_epoch"], 0)),
                static_cast<int>(horizon.size()), horizon.data(),
                static_cast<int>(watermark.size()), watermark.data(), job.c_str());
  }
}

int RunStatus(const StatusCommandOptions& options) {
  Result<std::unique_ptr<HttpClient>> client = HttpClient::Connect(options.server);
  if (!client.ok()) return Fail(client.status());
  Result<HttpResponse> response = (*client)->Request("GET", "/v1/status");
  if (!response.ok()) return Fail(response.status());
  if (response->status != 200) return PrintApiError(*response);
  if (options.json) {
    std::puts(response->body.c_str());
    return 0;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::object streams;
  if (parser.parse(response->body).get(doc) != simdjson::SUCCESS ||
      doc["streams"].get(streams) != simdjson::SUCCESS) {
    return Fail(Status(StatusCode::kInternal, "unexpected status answer"));
  }
  std::printf("%-24s %14s %14s %10s\n", "stream", "events", "bytes", "partitions");
  for (auto [name, stream] : streams) {
    const int64_t events = Member<int64_t>(stream["events"], 0);
    const int64_t bytes = Member<int64_t>(stream["bytes"], 0);
    simdjson::dom::array partitions;
    size_t n = stream["partitions"].get(partitions) == simdjson::SUCCESS ? partitions.size() : 0;
    std::printf("%-24.*s %14lld %14lld %10zu\n", static_cast<int>(name.size()), name.data(),
                static_cast<long long>(events), static_cast<long long>(bytes), n);
  }
  simdjson::dom::object views;
  if (doc["views"].get(views) == simdjson::SUCCESS) PrintViewStatus(views);
  return 0;
}

int RunLake(const LakeCommandOptions& options) {
  Result<std::unique_ptr<HttpClient>> client = HttpClient::Connect(options.server);
  if (!client.ok()) return Fail(client.status());
  const std::string base = fmt::format("/v1/lake/{}/", options.stream);
  Result<HttpResponse> response = Status(StatusCode::kInvalidArgument, "unknown lake action");
  if (options.action == "ls") {
    response = (*client)->Request("GET", base + "files");
  } else if (options.action == "optimize") {
    response = (*client)->Request("POST", base + "optimize");
  } else {
    std::string target = base + "vacuum?dry_run=" + (options.dry_run ? "true" : "false");
    if (!options.retention.empty()) target += "&retention=" + options.retention;
    response = (*client)->Request("POST", target);
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (int failed = ReadAnswer(response, parser, &doc); failed != 0) return failed;
  if (options.action == "ls") {
    simdjson::dom::array files;
    if (doc["files"].get(files) == simdjson::SUCCESS) {
      for (simdjson::dom::element file : files) {
        std::printf("%12lld  %.*s\n", static_cast<long long>(Member<int64_t>(file["size"], 0)),
                    static_cast<int>(Member<std::string_view>(file["path"], "").size()),
                    Member<std::string_view>(file["path"], "").data());
      }
    }
    std::printf("version %lld: %zu files, %lld bytes\n",
                static_cast<long long>(Member<int64_t>(doc["version"], -1)),
                files.size(), static_cast<long long>(Member<int64_t>(doc["bytes"], 0)));
  } else if (options.action == "optimize") {
    std::printf("removed %lld small files, added %lld (table version %lld)\n",
                static_cast<long long>(Member<int64_t>(doc["files_removed"], 0)),
                static_cast<long long>(Member<int64_t>(doc["files_added"], 0)),
                static_cast<long long>(Member<int64_t>(doc["table_version"], -1)));
  } else {
    simdjson::dom::array deleted;
    size_t n = 0;
    if (doc["deleted"].get(deleted) == simdjson::SUCCESS) {
      for (simdjson::dom::element path : deleted) {
        std::printf("%s %s\n", options.dry_run ? "would delete" : "deleted", CellText(path).c_str());
        ++n;
      }
    }
    std::printf("%zu files %s\n", n, options.dry_run ? "would be deleted" : "deleted");
  }
  return 0;
}

namespace {

// Sends one batch, retrying transport failures and 5xx answers with backoff. The batch's
// Idempotency-Key makes a retry of a batch the server did accept append nothing.
Result<HttpResponse> SendBatch(HttpClient& client, const std::string& target,
                               const std::string& body, const std::string& key) {
  std::chrono::milliseconds backoff(100);
  for (int attempt = 0;; ++attempt) {
    Result<HttpResponse> response = client.Request("POST", target, body, "application/x-ndjson",
                                                   {{"Idempotency-Key", key}});
    const bool retry = !response.ok() ? response.status().code() == StatusCode::kUnavailable
                                      : response->status >= 500 || response->status == 409;
    if (!retry || attempt == 9) return response;
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
}

}  // namespace

int RunIngest(const IngestCommandOptions& options) {
  std::istream* in = &std::cin;
  std::ifstream file;
  if (options.file != "-") {
    file.open(options.file, std::ios::binary);
    if (!file) {
      return Fail(Status(StatusCode::kIoError, fmt::format("cannot open '{}'", options.file)));
    }
    in = &file;
  }
  Result<std::unique_ptr<HttpClient>> client = HttpClient::Connect(options.server);
  if (!client.ok()) return Fail(client.status());
  const std::string target = fmt::format("/v1/streams/{}/events{}", options.stream,
                                         options.dead_letter ? "?on_error=dead_letter" : "");
  const std::string run_id = fmt::format("{:016x}", std::random_device{}() * 0x9E3779B97F4A7C15ull ^
                                                        static_cast<uint64_t>(::getpid()));
  Progress progress("ingested", 0);
  uint64_t accepted = 0, rejected = 0, batch_number = 0;
  std::string batch, line;
  size_t lines_in_batch = 0;
  auto flush = [&]() -> int {
    if (lines_in_batch == 0) return 0;
    Result<HttpResponse> response =
        SendBatch(**client, target, batch, fmt::format("{}-{}", run_id, batch_number++));
    if (!response.ok()) return Fail(response.status());
    if (response->status != 200) {
      std::fprintf(stderr, "%llu events were accepted before this batch failed\n",
                   static_cast<unsigned long long>(accepted));
      return PrintApiError(*response);
    }
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    int64_t a = 0, r = 0;
    if (parser.parse(response->body).get(doc) == simdjson::SUCCESS) {
      a = Member<int64_t>(doc["accepted"], 0);
      r = Member<int64_t>(doc["rejected"], 0);
    }
    accepted += static_cast<uint64_t>(a);
    rejected += static_cast<uint64_t>(r);
    progress.Update(accepted);
    batch.clear();
    lines_in_batch = 0;
    return 0;
  };
  while (std::getline(*in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    batch.append(line).push_back('\n');
    if (++lines_in_batch >= options.batch_events || batch.size() >= (8u << 20)) {
      if (int rc = flush(); rc != 0) return rc;
    }
  }
  if (int rc = flush(); rc != 0) return rc;
  progress.Finish(accepted);
  std::printf("accepted %llu events, rejected %llu\n", static_cast<unsigned long long>(accepted),
              static_cast<unsigned long long>(rejected));
  return 0;
}

}  // namespace braid::cli
