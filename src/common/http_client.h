// HttpClient: a blocking HTTP/1.1 client over one keep-alive connection (Boost.Beast), for the
// CLI subcommands that talk to a running server (ingest, sql, status) and for alert webhooks. It
// reconnects once when a kept-alive connection turned out to be closed by the server. An optional
// timeout bounds connecting and each request; a request that times out is abandoned and its
// connection closed. Errors are Status values (kUnavailable for connection failures and timeouts,
// naming the server URL). Not thread-safe; one client per thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/time.h"

namespace braid {

struct HttpResponse {
  int status = 0;
  std::string body;
};

// An http:// URL split into its parts. The scheme is optional; https is refused (no TLS).
struct HttpUrl {
  std::string host;
  std::string port;    // "80" when the URL names none
  std::string target;  // the path and query, "/" when the URL names none
};
// Parses "http://host:port/path?query", "host:port", "[::1]:8080/hook".
Result<HttpUrl> ParseHttpUrl(std::string_view url);

struct HttpClientOptions {
  Duration timeout = Duration{};  // bounds connecting and each request; zero waits forever
  std::string user_agent = "braid";
};

class HttpClient {
 public:
  // `server` is a URL as ParseHttpUrl accepts; its path is ignored (requests name their target).
  static Result<std::unique_ptr<HttpClient>> Connect(std::string_view server,
                                                     HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  Result<HttpResponse> Request(
      std::string_view method, std::string_view target, std::string_view body = {},
      std::string_view content_type = {},
      const std::vector<std::pair<std::string, std::string>>& headers = {});

 private:
  HttpClient();
  Status Reconnect();
  Result<HttpResponse> RequestOnce(std::string_view method, std::string_view target,
                                   std::string_view body, std::string_view content_type,
                                   const std::vector<std::pair<std::string, std::string>>& headers);

  struct Impl;
  std::unique_ptr<Impl> impl_;
  HttpClientOptions options_;
  std::string host_;
  std::string port_;
};

}  // namespace braid
