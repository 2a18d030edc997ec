#include "server/router.h"

#include <fmt/format.h>

#include <algorithm>

namespace braid::server {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

enum class PlusSign : uint8_t { kLiteral, kSpace };

Result<std::string> PercentDecode(std::string_view text, PlusSign plus) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      const bool complete = i + 2 < text.size();
      const int hi = complete ? HexValue(text[i + 1]) : -1;
      const int lo = complete ? HexValue(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return Status(
            StatusCode::kInvalidArgument,
            fmt::format("bad percent-encoding in request target near '{}'", text.substr(i, 3)));
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus == PlusSign::kSpace) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Status ParseQuery(std::string_view query, NameValues* out) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    ASSIGN_OR_RETURN(std::string name, PercentDecode(pair.substr(0, eq), PlusSign::kSpace));
    std::string value;
    if (eq != std::string_view::npos) {
      ASSIGN_OR_RETURN(value, PercentDecode(pair.substr(eq + 1), PlusSign::kSpace));
    }
    out->emplace_back(std::move(name), std::move(value));
  }
  return Status::Ok();
}

std::vector<std::string> SplitPattern(std::string_view pattern) {
  std::vector<std::string> segments;
  size_t pos = 1;  // skip the leading '/'
  while (pos <= pattern.size()) {
    size_t slash = pattern.find('/', pos);
    if (slash == std::string_view::npos) slash = pattern.size();
    segments.emplace_back(pattern.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return segments;
}

std::string_view MethodName(HttpVerb method) {
  boost::beast::string_view name = boost::beast::http::to_string(method);
  return std::string_view(name.data(), name.size());
}

bool IsParameter(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

Result<ParsedTarget> ParseTarget(std::string_view target) {
  if (target.empty() || target.front() != '/') {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("request target must start with '/': '{}'", target.substr(0, 64)));
  }
  ParsedTarget parsed;
  size_t question = target.find('?');
  std::string_view raw_path = target.substr(0, question);
  if (question != std::string_view::npos) {
    RETURN_IF_ERROR(ParseQuery(target.substr(question + 1), &parsed.query));
  }
  parsed.segments.reserve(static_cast<size_t>(std::count(raw_path.begin(), raw_path.end(), '/')));
  size_t pos = 1;  // after a '/'
  while (pos <= raw_path.size()) {
    const size_t slash = std::min(raw_path.find('/', pos), raw_path.size());
    ASSIGN_OR_RETURN(std::string segment,
                     PercentDecode(raw_path.substr(pos, slash - pos), PlusSign::kLiteral));
    parsed.path.push_back('/');
    parsed.path.append(segment);
    parsed.segments.push_back(std::move(segment));
    pos = slash + 1;
  }
  return parsed;
}

void Router::Add(HttpVerb method, std::string_view pattern, Handler handler) {
  routes_.push_back(Route{method, SplitPattern(pattern), std::move(handler)});
}

bool Router::Matches(const Route& route, const std::vector<std::string>& path_segments,
                     NameValues* params) {
  if (route.segments.size() != path_segments.size()) return false;
  NameValues bound;
  for (size_t i = 0; i < path_segments.size(); ++i) {
    const std::string& expected = route.segments[i];
    if (IsParameter(expected)) {
      if (path_segments[i].empty()) return false;
      bound.emplace_back(expected.substr(1, expected.size() - 2), path_segments[i]);
    } else if (expected != path_segments[i]) {
      return false;
    }
  }
  *params = std::move(bound);
  return true;
}

void Router::Dispatch(HttpRequest message, Responder responder) const {
  std::string_view target(message.target().data(), message.target().size());
  Result<ParsedTarget> parsed = ParseTarget(target);
  if (!parsed.ok()) {
    responder.Send(ErrorResponse(parsed.status()));
    return;
  }
  std::string allowed;
  for (const Route& route : routes_) {
    NameValues params;
    if (!Matches(route, parsed->segments, &params)) continue;
    if (route.method == message.method()) {
      route.handler(Request(std::move(message), std::move(parsed->path), std::move(parsed->query),
                            std::move(params)),
                    std::move(responder));
      return;
    }
    if (!allowed.empty()) allowed.append(", ");
    allowed.append(MethodName(route.method));
  }
  if (allowed.empty()) {
    responder.Send(ErrorResponse(HttpStatusOf(StatusCode::kUndefinedObject), "not_found",
                                 fmt::format("no such endpoint: {}", parsed->path)));
    return;
  }
  Response response =
      ErrorResponse(405, "method_not_allowed",
                    fmt::format("{} is not allowed on {} (allowed: {})",
                                MethodName(message.method()), parsed->path, allowed));
  response.headers.emplace_back("Allow", allowed);
  responder.Send(std::move(response));
}

}  // namespace braid::server
