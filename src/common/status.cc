#include "common/status.h"

#include <fmt/format.h>

namespace braid {

std::string_view SqlState(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "00000";
    case StatusCode::kInvalidArgument: return "22023";
    case StatusCode::kSyntaxError: return "42601";
    case StatusCode::kUndefinedObject: return "42P01";
    case StatusCode::kUndefinedColumn: return "42703";
    case StatusCode::kDuplicateObject: return "42P07";
    case StatusCode::kTypeMismatch: return "42804";
    case StatusCode::kDependentObjects: return "2BP01";
    case StatusCode::kGroupingError: return "42803";
    case StatusCode::kDataError: return "22000";
    case StatusCode::kTooLarge: return "54000";
    case StatusCode::kCancelled: return "57014";
    case StatusCode::kOutOfMemory: return "53200";
    case StatusCode::kIoError: return "58030";
    case StatusCode::kCorruption: return "XX001";
    case StatusCode::kUnsupported: return "0A000";
    case StatusCode::kUnavailable: return "57P03";
    case StatusCode::kInternal: return "XX000";
  }
  return "XX000";
}

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid_argument";
    case StatusCode::kSyntaxError: return "syntax_error";
    case StatusCode::kUndefinedObject: return "undefined_object";
    case StatusCode::kUndefinedColumn: return "undefined_column";
    case StatusCode::kDuplicateObject: return "duplicate_object";
    case StatusCode::kTypeMismatch: return "type_mismatch";
    case StatusCode::kDependentObjects: return "dependent_objects";
    case StatusCode::kGroupingError: return "grouping_error";
    case StatusCode::kDataError: return "data_error";
    case StatusCode::kTooLarge: return "too_large";
    case StatusCode::kCancelled: return "cancelled";
    case StatusCode::kOutOfMemory: return "out_of_memory";
    case StatusCode::kIoError: return "io_error";
    case StatusCode::kCorruption: return "corruption";
    case StatusCode::kUnsupported: return "unsupported";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kInternal: return "internal";
  }
  return "internal";
}

int HttpStatusOf(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument:
    case StatusCode::kSyntaxError:
    case StatusCode::kUndefinedColumn:
    case StatusCode::kTypeMismatch:
    case StatusCode::kGroupingError:
    case StatusCode::kDataError: return 400;
    case StatusCode::kUndefinedObject: return 404;
    case StatusCode::kDuplicateObject:
    case StatusCode::kDependentObjects: return 409;
    case StatusCode::kTooLarge: return 413;
    case StatusCode::kCancelled: return 408;
    case StatusCode::kUnsupported: return 501;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kOutOfMemory:
    case StatusCode::kIoError:
    case StatusCode::kCorruption:
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  if (position_) {
    return fmt::format("{} at {}:{}: {}", StatusCodeName(code_), position_->line,
                       position_->column, message_);
  }
  return fmt::format("{}: {}", StatusCodeName(code_), message_);
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  Status s = *this;
  s.message_ = fmt::format("{}: {}", context, message_);
  return s;
}

}  // namespace braid
