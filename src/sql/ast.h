// The syntax tree of Braid's SQL dialect (Azure Stream Analytics for streams and views, standard
// SELECT for queries). Nodes are plain structs owned by their parent; every node records the
// position of its first token so binders report errors at line:column. This first part covers
// the stream DDL and catalog statements; views, alerts and SELECT extend the Statement variant.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/status.h"
#include "common/types.h"

namespace braid::sql {

// A literal in a WITH (...) option list: 'text', 123, 4.5, TRUE/FALSE.
struct OptionValue {
  std::variant<std::string, int64_t, double, bool> value;
  SourcePosition position;
};

struct StreamOption {
  std::string name;  // as written; matched case-insensitively
  OptionValue value;
  SourcePosition position;
};

struct ColumnDefinition {
  std::string name;
  DataType type = DataType::kString;
  bool not_null = false;
  SourcePosition position;
};

struct CreateStreamStatement {
  std::string name;
  bool if_not_exists = false;
  std::vector<ColumnDefinition> columns;
  std::vector<StreamOption> options;
  SourcePosition position;
  SourcePosition name_position;  // of the name token
};

enum class ObjectKind : uint8_t { kStream, kView, kAlert };

struct DropStatement {
  ObjectKind kind = ObjectKind::kStream;
  std::string name;
  bool if_exists = false;
  SourcePosition position;
  SourcePosition name_position;  // of the name token
};

struct ShowStatement {
  ObjectKind kind = ObjectKind::kStream;  // SHOW STREAMS | VIEWS | ALERTS
  SourcePosition position;
};

struct DescribeStatement {
  std::string name;
  std::optional<ObjectKind> kind;  // DESCRIBE STREAM name: only that kind; none = any kind
  SourcePosition position;
  SourcePosition name_position;  // of the name token
};

using Statement =
    std::variant<CreateStreamStatement, DropStatement, ShowStatement, DescribeStatement>;

// A statement with the exact source text it was parsed from (without the trailing ';').
struct ParsedStatement {
  Statement statement;
  std::string text;
  SourcePosition position;
};

}  // namespace braid::sql
