#include "server/json_array.h"

#include <fmt/format.h>
#include <simdjson.h>

namespace braid::server {
namespace {

namespace od = simdjson::ondemand;

// The 1-based line:column (column in bytes) of byte `offset` of `text`.
SourcePosition PositionOf(std::string_view text, size_t offset) {
  SourcePosition position{1, 1};
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++position.line;
      position.column = 1;
    } else {
      ++position.column;
    }
  }
  return position;
}

// The raw text of one element, consuming it.
simdjson::error_code ElementText(od::value& element, std::string_view* raw) {
  od::json_type type;
  if (auto error = element.type().get(type)) return error;
  if (type == od::json_type::object) {
    od::object object;
    if (auto error = element.get_object().get(object)) return error;
    return object.raw_json().get(*raw);
  }
  if (type == od::json_type::array) {
    od::array array;
    if (auto error = element.get_array().get(array)) return error;
    return array.raw_json().get(*raw);
  }
  *raw = element.raw_json_token();
  while (!raw->empty() && IsJsonSpace(raw->back())) raw->remove_suffix(1);
  return simdjson::SUCCESS;
}

}  // namespace

Result<std::vector<std::string_view>> SplitJsonArray(const PaddedText& body) {
  od::parser parser;
  od::document document;
  od::array array;
  std::vector<std::string_view> elements;
  auto fail = [&](simdjson::error_code error) -> Status {
    std::string message =
        fmt::format("malformed JSON array of events: {}", simdjson::error_message(error));
    const char* location = nullptr;
    if (document.current_location().get(location) == simdjson::SUCCESS) {
      return Status(StatusCode::kDataError, std::move(message),
                    PositionOf(body.view(), static_cast<size_t>(location - body.data())));
    }
    return Status(StatusCode::kDataError, std::move(message));
  };
  if (auto error = parser.iterate(body.data(), body.size(), body.capacity()).get(document)) {
    return Status(StatusCode::kDataError, fmt::format("malformed JSON array of events: {}",
                                                      simdjson::error_message(error)));
  }
  if (auto error = document.get_array().get(array)) return fail(error);
  for (auto element_result : array) {
    od::value element;
    std::string_view raw;
    // get() is rvalue-qualified.
    if (auto error =
            std::move(element_result).get(element)) {  // NOLINT(performance-move-const-arg)
      return fail(error);
    }
    if (auto error = ElementText(element, &raw)) return fail(error);
    elements.push_back(raw);
  }
  // After the array, the document must be over: current_location() is out of bounds.
  const char* trailing = nullptr;
  if (document.current_location().get(trailing) == simdjson::SUCCESS) {
    return fail(simdjson::TRAILING_CONTENT);
  }
  return elements;
}

}  // namespace braid::server
