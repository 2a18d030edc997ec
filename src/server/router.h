// Router: maps (method, path) to a handler. Patterns are literal segments and `{name}` segments
// that bind one decoded path segment ("/v1/streams/{stream}/events"). Dispatch splits the request
// target into its percent-decoded path and query parameters, and answers itself when nothing
// matches: 404 for an unknown path, 405 (with Allow) for a known path and another method, 400 for
// a malformed target. Routes are added before the server starts; afterwards the router is
// immutable and Dispatch may run concurrently on any number of threads.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http_message.h"

namespace braid::server {

// A handler answers through the responder, now or later from any thread.
using Handler = std::function<void(Request request, Responder responder)>;

class Router {
 public:
  void Add(HttpVerb method, std::string_view pattern, Handler handler);
  void Dispatch(HttpRequest message, Responder responder) const;

 private:
  struct Route {
    HttpVerb method;
    std::vector<std::string> segments;  // "{name}" binds a parameter
    Handler handler;
  };
  // Whether `path_segments` match `route`; fills `params` when they do.
  static bool Matches(const Route& route, const std::vector<std::string>& path_segments,
                      NameValues* params);

  std::vector<Route> routes_;
};

// Splits "/a/b%20c?x=1&y=%2F" into decoded path segments and query pairs ('+' is a space in
// queries). Returns kInvalidArgument for a target that is not origin-form or has bad escapes.
struct ParsedTarget {
  std::string path;
  std::vector<std::string> segments;
  NameValues query;
};
Result<ParsedTarget> ParseTarget(std::string_view target);

}  // namespace braid::server
