// HttpClient: a blocking HTTP/1.1 client over one keep-alive connection (Boost.Beast), for the
// CLI subcommands that talk to a running server (ingest, sql, status). It reconnects once when a
// kept-alive connection was closed by the server. Errors are Status values (connection refused
// names the server URL). Not thread-safe; one client per thread.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace braid::cli {

struct HttpResponse {
  int status = 0;
  std::string body;
};

class HttpClient {
 public:
  // `server` is "http://host:port" (the scheme is optional).
  static Result<std::unique_ptr<HttpClient>> Connect(std::string_view server);
  ~HttpClient();

  Result<HttpResponse> Request(std::string_view method, std::string_view target,
                               std::string_view body = {}, std::string_view content_type = {},
                               const std::vector<std::pair<std::string, std::string>>& headers = {});

 private:
  HttpClient();
  Status Reconnect();
  Result<HttpResponse> RequestOnce(std::string_view method, std::string_view target,
                                   std::string_view body, std::string_view content_type,
                                   const std::vector<std::pair<std::string, std::string>>& headers);

  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string host_;
  std::string port_;
};

}  // namespace braid::cli
