// Arithmetic, comparison and negation kernels of the expression evaluator.
#include <fmt/format.h>

#include <cmath>
#include <functional>
#include <limits>

#include "sql/evaluator_kernels.h"

namespace braid::sql::evaluator {
namespace {

// Each operation: Apply(a, b, out) for BIGINT (overflow is kError) and DOUBLE (IEEE); a zero
// divisor gives NULL for both, so one bad event cannot stop a view.
struct AddOp {
  static RowResult Apply(int64_t a, int64_t b, int64_t& out) {
    return __builtin_add_overflow(a, b, &out) ? RowResult::kError : RowResult::kValue;
  }
  static RowResult Apply(double a, double b, double& out) {
    out = a + b;
    return RowResult::kValue;
  }
};
struct SubtractOp {
  static RowResult Apply(int64_t a, int64_t b, int64_t& out) {
    return __builtin_sub_overflow(a, b, &out) ? RowResult::kError : RowResult::kValue;
  }
  static RowResult Apply(double a, double b, double& out) {
    out = a - b;
    return RowResult::kValue;
  }
};
struct MultiplyOp {
  static RowResult Apply(int64_t a, int64_t b, int64_t& out) {
    return __builtin_mul_overflow(a, b, &out) ? RowResult::kError : RowResult::kValue;
  }
  static RowResult Apply(double a, double b, double& out) {
    out = a * b;
    return RowResult::kValue;
  }
};
struct DivideOp {
  static RowResult Apply(int64_t a, int64_t b, int64_t& out) {
    if (b == 0) return RowResult::kNull;
    if (a == std::numeric_limits<int64_t>::min() && b == -1) return RowResult::kError;
    out = a / b;  // C++ truncates toward zero, as SQL Server does
    return RowResult::kValue;
  }
  static RowResult Apply(double a, double b, double& out) {
    if (b == 0.0) return RowResult::kNull;
    out = a / b;
    return RowResult::kValue;
  }
};
struct ModuloOp {
  static RowResult Apply(int64_t a, int64_t b, int64_t& out) {
    if (b == 0) return RowResult::kNull;
    out = (b == -1) ? 0 : a % b;  // INT64_MIN % -1 is 0, not a trap
    return RowResult::kValue;
  }
  static RowResult Apply(double a, double b, double& out) {
    if (b == 0.0) return RowResult::kNull;
    out = std::fmod(a, b);
    return RowResult::kValue;
  }
};

template <typename Op>
Result<Column> Arithmetic(DataType type, const Column& left, const Column& right,
                          SourcePosition position) {
  auto run = [&](auto tag) -> Result<Column> {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, double>) {
      const Reader<T> a(left);
      const Reader<T> b(right);
      return Generate<T>(
          type, left.size(),
          [&](size_t row, T& out) {
            if (!left.IsValid(row) || !right.IsValid(row)) return RowResult::kNull;
            return Op::Apply(a[row], b[row], out);
          },
          [&](size_t) { return BigintOutOfRange(position); });
    } else {
      return Status(StatusCode::kInternal, fmt::format("arithmetic on {}", DataTypeName(type)),
                    position);
    }
  };
  return VisitStorage(type, run);
}

template <typename Compare>
Column Comparison(const Column& left, const Column& right) {
  auto run = [&](auto tag) {
    using T = decltype(tag);
    const Reader<T> a(left);
    const Reader<T> b(right);
    return GenerateTotal<bool>(DataType::kBoolean, left.size(), [&](size_t row, bool& out) {
      if (!left.IsValid(row) || !right.IsValid(row)) return false;
      out = Compare{}(OrderingKey<T>(a[row]), OrderingKey<T>(b[row]));
      return true;
    });
  };
  return VisitStorage(left.type(), run);
}

// Calls fn(Compare{}) with the comparator of a comparison operator (= for any other).
template <typename Fn>
decltype(auto) WithComparator(BinaryOp op, Fn&& fn) {
  switch (op) {
    case BinaryOp::kNotEqual:
      return fn(std::not_equal_to<>{});
    case BinaryOp::kLess:
      return fn(std::less<>{});
    case BinaryOp::kLessEqual:
      return fn(std::less_equal<>{});
    case BinaryOp::kGreater:
      return fn(std::greater<>{});
    case BinaryOp::kGreaterEqual:
      return fn(std::greater_equal<>{});
    default:
      break;
  }
  return fn(std::equal_to<>{});
}

// The constant's storage value as T (a view of its string for STRING).
template <typename T>
T StorageOf(const Value& constant) {
  if constexpr (std::is_same_v<T, std::string_view>) {
    return std::get<std::string>(constant);
  } else {
    return std::get<T>(constant);
  }
}

template <typename Compare, bool kConstantFirst>
Column ComparisonWith(const Column& column, const Value& constant) {
  auto run = [&](auto tag) {
    using T = decltype(tag);
    const Reader<T> values(column);
    const auto key = OrderingKey<T>(StorageOf<T>(constant));
    return GenerateTotal<bool>(DataType::kBoolean, column.size(), [&](size_t row, bool& out) {
      if (!column.IsValid(row)) return false;
      if constexpr (kConstantFirst) {
        out = Compare{}(key, OrderingKey<T>(values[row]));
      } else {
        out = Compare{}(OrderingKey<T>(values[row]), key);
      }
      return true;
    });
  };
  return VisitStorage(column.type(), run);
}

template <typename Compare>
Column ComparisonWith(const Column& column, const Value& constant, bool constant_first) {
  return constant_first ? ComparisonWith<Compare, true>(column, constant)
                        : ComparisonWith<Compare, false>(column, constant);
}

}  // namespace

Result<Column> EvaluateArithmetic(BinaryOp op, DataType type, const Column& left,
                                  const Column& right, SourcePosition position) {
  switch (op) {
    case BinaryOp::kAdd:
      return Arithmetic<AddOp>(type, left, right, position);
    case BinaryOp::kSubtract:
      return Arithmetic<SubtractOp>(type, left, right, position);
    case BinaryOp::kMultiply:
      return Arithmetic<MultiplyOp>(type, left, right, position);
    case BinaryOp::kDivide:
      return Arithmetic<DivideOp>(type, left, right, position);
    case BinaryOp::kModulo:
      return Arithmetic<ModuloOp>(type, left, right, position);
    default:
      break;
  }
  return Status(StatusCode::kInternal, "not an arithmetic operator", position);
}

Column EvaluateComparison(BinaryOp op, const Column& left, const Column& right) {
  return WithComparator(op,
                        [&](auto compare) { return Comparison<decltype(compare)>(left, right); });
}

Column EvaluateComparisonWith(BinaryOp op, const Column& column, const Value& constant,
                              bool constant_first) {
  return WithComparator(op, [&](auto compare) {
    return ComparisonWith<decltype(compare)>(column, constant, constant_first);
  });
}

Result<Column> EvaluateNegate(const Column& operand, SourcePosition position) {
  auto run = [&](auto tag) -> Result<Column> {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, double>) {
      const Reader<T> values(operand);
      return Generate<T>(
          operand.type(), operand.size(),
          [&](size_t row, T& out) {
            if (!operand.IsValid(row)) return RowResult::kNull;
            if constexpr (std::is_same_v<T, double>) {
              out = -values[row];
              return RowResult::kValue;
            } else {
              return __builtin_sub_overflow(int64_t{0}, values[row], &out) ? RowResult::kError
                                                                           : RowResult::kValue;
            }
          },
          [&](size_t) { return BigintOutOfRange(position); });
    } else {
      return Status(StatusCode::kInternal, "negation of a non-number", position);
    }
  };
  return VisitStorage(operand.type(), run);
}

}  // namespace braid::sql::evaluator
