// `braid refresh VIEW` and `braid recompute VIEW`: submit a batch job (POST
// /v1/views/{view}/refresh|recompute), then follow it (GET /v1/jobs/{id}) until it finishes,
// showing its progress on a terminal. Exit code 0 when the job succeeded; a failed job prints its
// error (the server retries it with backoff on its own) and exits 1.
#include <fmt/format.h>
#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>

#include "cli/commands.h"
#include "cli/progress.h"
#include "common/http_client.h"

namespace braid::cli {
namespace {

// Parses a 2xx JSON answer into *doc; otherwise returns the one-line error to print.
std::optional<std::string> ParseAnswer(const Result<HttpResponse>& response,
                                       simdjson::dom::parser& parser, simdjson::dom::element* doc) {
  if (!response.ok()) return response.status().ToString();
  if (parser.parse(response->body).get(*doc) != simdjson::SUCCESS) {
    return fmt::format("HTTP {}: {}", response->status, response->body);
  }
  if (response->status / 100 == 2) return std::nullopt;
  std::string_view code = "error", message = response->body;
  if ((*doc)["error"]["code"].get(code) != simdjson::SUCCESS) code = "error";
  if ((*doc)["error"]["message"].get(message) != simdjson::SUCCESS) message = response->body;
  return fmt::format("{}: {}", code, message);
}

template <typename T>
T Field(simdjson::dom::element doc, std::string_view key, T fallback) {
  T out;
  return doc[key].get(out) == simdjson::SUCCESS ? out : fallback;
}

}  // namespace

int RunBatchJob(const BatchJobCommandOptions& options) {
  Result<std::unique_ptr<HttpClient>> client = HttpClient::Connect(options.server);
  if (!client.ok()) return Fail(client.status().ToString());
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const std::string target = fmt::format("/v1/views/{}/{}", options.view, options.kind);
  if (auto error = ParseAnswer((*client)->Request("POST", target), parser, &doc)) {
    return Fail(*error);
  }
  const int64_t id = Field<int64_t>(doc, "job", 0);
  Progress progress(fmt::format("{} {} (job {})", options.kind, options.view, id), 1000);
  while (true) {
    if (auto error =
            ParseAnswer((*client)->Request("GET", fmt::format("/v1/jobs/{}", id)), parser, &doc)) {
      return Fail(*error);
    }
    const std::string_view state = Field<std::string_view>(doc, "state", "");
    progress.Update(static_cast<uint64_t>(Field<double>(doc, "progress", 0) * 1000));
    if (state == "succeeded") {
      progress.Finish(1000);
      std::printf("%s of %s: version %lld, epochs %lld..%lld, %llu rows read, %llu rows written\n",
                  options.kind.c_str(), options.view.c_str(),
                  static_cast<long long>(Field<int64_t>(doc, "version", 0)),
                  static_cast<long long>(Field<int64_t>(doc, "from_epoch", 0)),
                  static_cast<long long>(Field<int64_t>(doc, "to_epoch", 0)),
                  static_cast<unsigned long long>(Field<uint64_t>(doc, "rows_read", 0)),
                  static_cast<unsigned long long>(Field<uint64_t>(doc, "rows_written", 0)));
      return 0;
    }
    if (state == "failed") {
      return Fail(fmt::format("job {} failed: {}", id, Field<std::string_view>(doc, "error", "")));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace braid::cli
