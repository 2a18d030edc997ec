// BindCreateStream (stream_definition.h): CREATE STREAM syntax -> a validated StreamDefinition.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <map>
#include <vector>

#include "sql/stream_definition.h"

namespace braid::sql {
namespace {

constexpr size_t kMaxStreamNameBytes = 128;
constexpr int64_t kMaxPartitions = 1024;
constexpr std::string_view kMetadataColumns[] = {"_ingested_at", "_partition", "_offset"};

std::string DescribeValue(const OptionValue& value) {
  struct Describer {
    std::string operator()(const std::string& s) const {
      return fmt::format("string '{}'", s.substr(0, 40));
    }
    std::string operator()(int64_t i) const { return fmt::format("integer {}", i); }
    std::string operator()(double d) const {
      return d == static_cast<double>(static_cast<int64_t>(d)) ? fmt::format("number {:.1f}", d)
                                                               : fmt::format("number {}", d);
    }
    std::string operator()(bool b) const { return b ? "TRUE" : "FALSE"; }
  };
  return std::visit(Describer{}, value.value);
}

Status InvalidValue(const StreamOption& option, std::string_view why) {
  return Status(StatusCode::kInvalidArgument, fmt::format("option '{}' {}", option.name, why),
                option.value.position);
}

// Levenshtein distance, for "did you mean" hints on misspelled option names.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitute});
    }
  }
  return row[b.size()];
}

Status CheckNotReserved(const ColumnDefinition& column) {
  for (std::string_view metadata : kMetadataColumns) {
    if (IdentifierEquals(column.name, metadata)) {
      return Status(StatusCode::kInvalidArgument,
                    fmt::format("column name '{}' is reserved for the lake's ingestion "
                                "metadata (_ingested_at, _partition, _offset)",
                                column.name),
                    column.position);
    }
  }
  return Status::Ok();
}

// Builds one definition from one statement; each option has a member function in kOptionRules.
class StreamBinder {
 public:
  Result<StreamDefinition> Bind(const CreateStreamStatement& statement) {
    RETURN_IF_ERROR(CheckStreamName(statement));
    definition_.name = statement.name;
    RETURN_IF_ERROR(BindColumns(statement.columns));
    std::map<std::string, SourcePosition> seen;
    for (const StreamOption& option : statement.options) {
      auto [first, inserted] = seen.emplace(CanonicalIdentifier(option.name), option.position);
      if (!inserted) {
        return Status(StatusCode::kInvalidArgument,
                      fmt::format("option '{}' is given twice (first at {}:{})", option.name,
                                  first->second.line, first->second.column),
                      option.position);
      }
      RETURN_IF_ERROR(BindOption(option));
    }
    return std::move(definition_);
  }

 private:
  struct OptionRule {
    std::string_view name;
    Status (StreamBinder::*bind)(const StreamOption& option);
  };
  static const std::array<OptionRule, 10> kOptionRules;

  static Status CheckStreamName(const CreateStreamStatement& statement) {
    const std::string& name = statement.name;
    bool has_bad_byte = std::any_of(name.begin(), name.end(), [](char c) {
      return c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
    });
    if (name == "." || name == ".." || has_bad_byte || name.size() > kMaxStreamNameBytes) {
      return Status(StatusCode::kInvalidArgument,
                    fmt::format("invalid stream name '{}': a stream name is a directory name, so "
                                "it may not contain '/', '\\' or control characters, be '.' or "
                                "'..', or be longer than {} bytes",
                                name.substr(0, kMaxStreamNameBytes), kMaxStreamNameBytes),
                    statement.name_position);
    }
    return Status::Ok();
  }

  Status BindColumns(const std::vector<ColumnDefinition>& columns) {
    std::vector<Field> fields;
    std::map<std::string, SourcePosition> seen;
    for (const ColumnDefinition& column : columns) {
      RETURN_IF_ERROR(CheckNotReserved(column));
      auto [first, inserted] = seen.emplace(CanonicalIdentifier(column.name), column.position);
      if (!inserted) {
        return Status(StatusCode::kInvalidArgument,
                      fmt::format("column '{}' is declared twice (first at {}:{})", column.name,
                                  first->second.line, first->second.column),
                      column.position);
      }
      fields.push_back(Field{column.name, column.type, !column.not_null});
    }
    definition_.schema = std::make_shared<const Schema>(std::move(fields));
    return Status::Ok();
  }

  Status BindOption(const StreamOption& option) {
    for (const OptionRule& rule : kOptionRules) {
      if (IdentifierEquals(option.name, rule.name)) return (this->*rule.bind)(option);
    }
    std::string known;
    std::string_view closest;
    size_t closest_distance = 3;  // suggest only names at most 2 edits away
    for (const OptionRule& rule : kOptionRules) {
      known += fmt::format("{}{}", known.empty() ? "" : ", ", rule.name);
      size_t distance = EditDistance(CanonicalIdentifier(option.name), rule.name);
      if (distance < closest_distance) {
        closest = rule.name;
        closest_distance = distance;
      }
    }
    std::string hint = closest.empty() ? "" : fmt::format(" (did you mean '{}'?)", closest);
    return Status(
        StatusCode::kInvalidArgument,
        fmt::format("unknown stream option '{}'{}; the options are {}", option.name, hint, known),
        option.position);
  }

  static Result<int64_t> IntegerOf(const StreamOption& option) {
    if (const auto* value = std::get_if<int64_t>(&option.value.value)) return *value;
    return InvalidValue(option,
                        fmt::format("expects an integer, found {}", DescribeValue(option.value)));
  }

  static Result<std::string> StringOf(const StreamOption& option, std::string_view expected) {
    if (const auto* value = std::get_if<std::string>(&option.value.value)) return *value;
    return InvalidValue(option,
                        fmt::format("expects {}, found {}", expected, DescribeValue(option.value)));
  }

  static Result<Duration> DurationOf(const StreamOption& option) {
    ASSIGN_OR_RETURN(std::string text, StringOf(option, "a duration string such as '10s'"));
    Result<Duration> duration = ParseDuration(text);
    if (duration.ok()) return *duration;
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("option '{}': {}", option.name, duration.status().message()),
                  option.value.position);
  }

  static Result<Duration> PositiveDurationOf(const StreamOption& option) {
    ASSIGN_OR_RETURN(Duration duration, DurationOf(option));
    if (duration.micros == 0) return InvalidValue(option, "must be longer than 0s");
    return duration;
  }

  // The declared name of the column an option names; kUndefinedColumn if there is none.
  Result<const Field*> ColumnOf(const StreamOption& option, std::string_view expected) {
    ASSIGN_OR_RETURN(std::string name, StringOf(option, expected));
    std::optional<size_t> index = definition_.schema->FindField(name);
    if (!index) {
      std::vector<std::string> names;
      for (const Field& field : definition_.schema->fields()) names.push_back(field.name);
      return Status(StatusCode::kUndefinedColumn,
                    fmt::format("option '{}' names column '{}', which stream '{}' does not have "
                                "(columns: {})",
                                option.name, name, definition_.name, fmt::join(names, ", ")),
                    option.value.position);
    }
    return &definition_.schema->field(*index);
  }

  Status BindPartitions(const StreamOption& option) {
    ASSIGN_OR_RETURN(int64_t partitions, IntegerOf(option));
    if (partitions < 1 || partitions > kMaxPartitions) {
      return InvalidValue(
          option, fmt::format("must be between 1 and {}, found {}", kMaxPartitions, partitions));
    }
    definition_.partitions = static_cast<int>(partitions);
    return Status::Ok();
  }

  Status BindPartitionKey(const StreamOption& option) {
    ASSIGN_OR_RETURN(const Field* column, ColumnOf(option, "a string naming a column"));
    if (column->type == DataType::kDouble) {
      return Status(StatusCode::kTypeMismatch,
                    fmt::format("partition key column '{}' is DOUBLE; a partition key must be "
                                "BOOLEAN, BIGINT, STRING or TIMESTAMP (equal doubles can hash "
                                "differently, e.g. 0.0 and -0.0)",
                                column->name),
                    option.value.position);
    }
    definition_.partition_key = column->name;
    return Status::Ok();
  }

  Status BindTimestamp(const StreamOption& option) {
    ASSIGN_OR_RETURN(const Field* column, ColumnOf(option, "a string naming a TIMESTAMP column"));
    if (column->type != DataType::kTimestamp) {
      return Status(StatusCode::kTypeMismatch,
                    fmt::format("timestamp column '{}' is {}; the timestamp column must be "
                                "TIMESTAMP",
                                column->name, DataTypeName(column->type)),
                    option.value.position);
    }
    definition_.timestamp = column->name;
    return Status::Ok();
  }

  Status BindOutOfOrder(const StreamOption& option) {
    ASSIGN_OR_RETURN(definition_.out_of_order, DurationOf(option));
    return Status::Ok();
  }
  Status BindAllowedLateness(const StreamOption& option) {
    ASSIGN_OR_RETURN(definition_.allowed_lateness, DurationOf(option));
    return Status::Ok();
  }
  Status BindMaxFuture(const StreamOption& option) {
    ASSIGN_OR_RETURN(definition_.max_future, DurationOf(option));
    return Status::Ok();
  }
  Status BindIdleTimeout(const StreamOption& option) {
    ASSIGN_OR_RETURN(definition_.idle_timeout, PositiveDurationOf(option));
    return Status::Ok();
  }
  Status BindRetention(const StreamOption& option) {
    ASSIGN_OR_RETURN(definition_.retention, PositiveDurationOf(option));
    return Status::Ok();
  }

  Status BindRetentionBytes(const StreamOption& option) {
    ASSIGN_OR_RETURN(int64_t bytes, IntegerOf(option));
    if (bytes < 1) return InvalidValue(option, fmt::format("must be positive, found {}", bytes));
    definition_.retention_bytes = static_cast<uint64_t>(bytes);
    return Status::Ok();
  }

  Status BindOutOfOrderPolicy(const StreamOption& option) {
    ASSIGN_OR_RETURN(std::string policy, StringOf(option, "'adjust' or 'drop'"));
    for (OutOfOrderPolicy candidate : {OutOfOrderPolicy::kAdjust, OutOfOrderPolicy::kDrop}) {
      if (IdentifierEquals(policy, OutOfOrderPolicyName(candidate))) {
        definition_.out_of_order_policy = candidate;
        return Status::Ok();
      }
    }
    return InvalidValue(option, fmt::format("must be 'adjust' or 'drop', found '{}'", policy));
  }

  StreamDefinition definition_;
};

const std::array<StreamBinder::OptionRule, 10> StreamBinder::kOptionRules = {{
    {"partitions", &StreamBinder::BindPartitions},
    {"partition_key", &StreamBinder::BindPartitionKey},
    {"timestamp", &StreamBinder::BindTimestamp},
    {"out_of_order", &StreamBinder::BindOutOfOrder},
    {"allowed_lateness", &StreamBinder::BindAllowedLateness},
    {"out_of_order_policy", &StreamBinder::BindOutOfOrderPolicy},
    {"max_future", &StreamBinder::BindMaxFuture},
    {"idle_timeout", &StreamBinder::BindIdleTimeout},
    {"retention", &StreamBinder::BindRetention},
    {"retention_bytes", &StreamBinder::BindRetentionBytes},
}};

}  // namespace

Result<StreamDefinition> BindCreateStream(const CreateStreamStatement& statement) {
  return StreamBinder().Bind(statement);
}

Result<StreamDefinition> BindAlterStream(const StreamDefinition& existing,
                                         const AlterStreamStatement& statement) {
  const ColumnDefinition& column = statement.column;
  RETURN_IF_ERROR(CheckNotReserved(column));
  if (column.not_null) {
    return Status(StatusCode::kInvalidArgument,
                  "a column added to an existing stream must be nullable: older events have no "
                  "value",
                  column.position);
  }
  if (std::optional<size_t> index = existing.schema->FindField(column.name)) {
    const Field& field = existing.schema->field(*index);
    if (statement.if_not_exists && field.type == column.type && field.nullable) return existing;
    return Status(
        StatusCode::kInvalidArgument,
        fmt::format("stream '{}' already has a column '{}' {}{}", existing.name, field.name,
                    DataTypeName(field.type), field.nullable ? "" : " NOT NULL"),
        column.position);
  }
  std::vector<Field> fields = existing.schema->fields();
  fields.push_back(Field{column.name, column.type, true});
  StreamDefinition altered = existing;
  altered.schema = std::make_shared<const Schema>(std::move(fields));
  return altered;
}

}  // namespace braid::sql
