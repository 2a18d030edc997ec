// Status and Result<T>: errors as values (STYLE.md). Braid code never throws; every failure caused
// by something outside the code (I/O, input, SQL, network) is a Status. Each StatusCode maps one to
// one to a PostgreSQL SQLSTATE, and to an HTTP status, so the HTTP API and the PostgreSQL wire
// protocol report the same error the same way. A Status may carry a source position (1-based line
// and column) for SQL errors. Status and Result are plain values: copyable, not thread-safe to
// mutate concurrently, safe to share read-only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace braid {

enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument,   // 22023 invalid_parameter_value: a caller's bad option or argument
  kSyntaxError,       // 42601 syntax_error
  kUndefinedObject,   // 42P01 undefined_table: unknown stream, view, alert
  kUndefinedColumn,   // 42703 undefined_column
  kDuplicateObject,   // 42P07 duplicate_table: a conflicting definition exists
  kDependentObjects,  // 2BP01 dependent_objects_still_exist: DROP STREAM with views on it
  kTypeMismatch,      // 42804 datatype_mismatch
  kGroupingError,     // 42803 grouping_error: an aggregate in WHERE, a column not grouped
  kDataError,         // 22000 data_exception: a bad event (wrong type, missing field)
  kTooLarge,          // 54000 program_limit_exceeded: body or result too large
  kCancelled,         // 57014 query_canceled
  kOutOfMemory,       // 53200 out_of_memory
  kIoError,           // 58030 io_error
  kCorruption,        // XX001 data_corrupted
  kUnsupported,       // 0A000 feature_not_supported
  kUnavailable,       // 57P03 cannot_connect_now: shutting down, not ready
  kInternal,          // XX000 internal_error: a bug in Braid
};

// The SQLSTATE of a code, e.g. "42601".
std::string_view SqlState(StatusCode code);
// A short stable name for JSON error answers, e.g. "syntax_error".
std::string_view StatusCodeName(StatusCode code);
// The HTTP status for an answer carrying this error (4xx for the caller's mistakes, 5xx ours).
int HttpStatusOf(StatusCode code);

struct SourcePosition {
  int line = 0;    // 1-based
  int column = 0;  // 1-based, in bytes
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  Status(StatusCode code, std::string message, SourcePosition position)
      : code_(code), message_(std::move(message)), position_(position) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::optional<SourcePosition>& position() const { return position_; }

  // "syntax_error at 3:14: expected ')'" style text for logs and the CLI.
  std::string ToString() const;

  // Returns a copy whose message is prefixed with context: "reading segment x: <message>".
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::optional<SourcePosition> position_;
};

// Result<T> holds either a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}            // NOLINT: implicit by design
  Result(Status status) : value_(std::move(status)) {}      // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(value_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(value_);
  }
  T& value() & { return std::get<T>(value_); }
  const T& value() const& { return std::get<T>(value_); }
  T&& value() && { return std::get<T>(std::move(value_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  // `*Make(...)` moves the value out of the temporary (without this overload it bound to the
  // const& one above and copied it).
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> value_;
};

namespace internal {
inline Status AsStatus(const Status& s) { return s; }
template <typename T>
Status AsStatus(const Result<T>& r) {
  return r.status();
}
}  // namespace internal

}  // namespace braid

#define BRAID_CONCAT_INNER(a, b) a##b
#define BRAID_CONCAT(a, b) BRAID_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)                                          \
  do {                                                                 \
    ::braid::Status braid_status_ = ::braid::internal::AsStatus(expr); \
    if (!braid_status_.ok()) return braid_status_;                     \
  } while (false)

#define BRAID_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()

#define ASSIGN_OR_RETURN(lhs, expr) \
  BRAID_ASSIGN_OR_RETURN_IMPL(BRAID_CONCAT(braid_result_, __LINE__), lhs, expr)

// For the code's own invariants only; never for input validation.
#ifdef NDEBUG
#define BRAID_DCHECK(cond) ((void)0)
#else
#include <cassert>
#define BRAID_DCHECK(cond) assert(cond)
#endif
