// BindWindow: a GROUP BY window specification checked and converted to microseconds
// (view_clauses.h; SEMANTICS.md for what the numbers mean).
#include <fmt/format.h>

#include <limits>

#include "sql/view_clauses.h"
#include "sql/window_assignment.h"

namespace braid::sql {
namespace {

std::string Count(int64_t count, TimeUnit unit) {
  return fmt::format("{} {}{}", count, TimeUnitName(unit), count == 1 ? "" : "s");
}

// `count` units as a Duration; kInvalidArgument when it does not fit in 64-bit microseconds.
Result<Duration> ToDuration(int64_t count, TimeUnit unit, std::string_view what,
                            SourcePosition position) {
  int64_t unit_micros = TimeUnitDuration(unit).micros;
  if (count > std::numeric_limits<int64_t>::max() / unit_micros ||
      count < std::numeric_limits<int64_t>::min() / unit_micros) {
    return Status(
        StatusCode::kInvalidArgument,
        fmt::format("{} ({}) does not fit in 64-bit microseconds", what, Count(count, unit)),
        position);
  }
  return Duration::Micros(count * unit_micros);
}

Result<Duration> PositiveDuration(int64_t count, TimeUnit unit, std::string_view what,
                                  SourcePosition position) {
  if (count <= 0) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("{} must be positive, got {}", what, count), position);
  }
  return ToDuration(count, unit, what, position);
}

// Hopping: 0 < hop <= size; a hop that does not divide the size is allowed with a warning.
Status BindHop(const WindowSpec& spec, SourcePosition position, BoundWindow& bound) {
  ASSIGN_OR_RETURN(bound.window.hop,
                   PositiveDuration(*spec.hop, spec.unit, "the hop of HoppingWindow", position));
  if (bound.window.hop > bound.window.size) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("the hop of HoppingWindow ({}) exceeds its size ({})",
                              Count(*spec.hop, spec.unit), Count(spec.size, spec.unit)),
                  position);
  }
  if (bound.window.size.micros % bound.window.hop.micros != 0) {
    bound.warning =
        BindWarning{fmt::format("hop {} does not divide size {}: windows overlap unevenly",
                                Count(*spec.hop, spec.unit), Count(spec.size, spec.unit)),
                    position};
  }
  return Status::Ok();
}

// Session: 0 < timeout <= max_duration.
Status BindSession(const WindowSpec& spec, SourcePosition position, const ViewInputs& inputs,
                   BoundWindow& bound) {
  ASSIGN_OR_RETURN(bound.window.max_duration,
                   PositiveDuration(*spec.max_duration, spec.unit,
                                    "the maximum duration of SessionWindow", position));
  if (bound.window.size > bound.window.max_duration) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("the timeout of SessionWindow ({}) exceeds its maximum duration ({})",
                              Count(spec.size, spec.unit), Count(*spec.max_duration, spec.unit)),
                  position);
  }
  RowScope scope = inputs.Scope("PARTITION BY");
  for (const ExprPtr& key : spec.partition_by) {
    ASSIGN_OR_RETURN(bound.window.partition_by.emplace_back(), BindExpr(*key, scope));
  }
  return Status::Ok();
}

}  // namespace

Result<BoundWindow> BindWindow(const WindowSpec& spec, SourcePosition position,
                               const ViewInputs& inputs) {
  std::string_view name = WindowKindName(spec.kind);
  if (spec.kind == WindowKind::kSliding) {
    return Status(StatusCode::kUnsupported, "SlidingWindow is not supported yet", position);
  }
  BoundWindow bound;
  bound.window.kind = spec.kind;
  bool session = spec.kind == WindowKind::kSession;
  std::string what = fmt::format("the {} of {}", session ? "timeout" : "size", name);
  ASSIGN_OR_RETURN(bound.window.size, PositiveDuration(spec.size, spec.unit, what, position));
  Duration period = bound.window.size;  // the grid the offset is taken modulo
  if (spec.kind == WindowKind::kTumbling) {
    bound.window.hop = bound.window.size;
  } else if (spec.kind == WindowKind::kHopping) {
    RETURN_IF_ERROR(BindHop(spec, position, bound));
    period = bound.window.hop;
  } else {
    RETURN_IF_ERROR(BindSession(spec, position, inputs, bound));
    period = bound.window.max_duration;
  }
  if (spec.offset) {
    ASSIGN_OR_RETURN(Duration offset, ToDuration(spec.offset->amount, spec.offset->unit,
                                                 "the Offset", spec.offset->position));
    bound.window.offset = Duration::Micros(FloorMod(offset.micros, period.micros));
  }
  return bound;
}

}  // namespace braid::sql
