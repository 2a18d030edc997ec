// The syntax tree of Braid's SQL dialect (Azure Stream Analytics for streams and views, standard
// SELECT for queries). Nodes are plain structs owned by their parent; every node records the
// position of its first token so binders report errors at line:column. The statements are the
// stream DDL (CREATE and ALTER STREAM), the catalog statements, CREATE VIEW / CREATE ALERT, SELECT
// and SET; expressions are in expression.h. Statements that hold expressions own them and are
// movable, not copyable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/status.h"
#include "common/types.h"
#include "sql/expression.h"

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

// ALTER STREAM name ADD [COLUMN] [IF NOT EXISTS] column TYPE [NULL]: appends one nullable column
// (events already in the log and the lake read it as NULL). NOT NULL is refused by the parser.
struct AlterStreamStatement {
  std::string name;
  ColumnDefinition column;     // the added column; never not_null
  bool if_not_exists = false;  // an identical existing column makes the statement a no-op
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
  std::string setting;  // SHOW name (a session setting, e.g. consistency): kind is unused
  SourcePosition position;
  SourcePosition setting_position;
};

struct DescribeStatement {
  std::string name;
  std::optional<ObjectKind> kind;  // DESCRIBE STREAM name: only that kind; none = any kind
  SourcePosition position;
  SourcePosition name_position;  // of the name token
};

// A select-list item: an expression, `*` or `t.*` (a Star node), with an optional alias.
struct SelectItem {
  ExprPtr expr;
  std::optional<std::string> alias;
  SourcePosition position;
};

// SELECT [DISTINCT] items FROM source [TIMESTAMP BY expr] [WHERE expr] [GROUP BY expr, ...]
// [HAVING expr] [ORDER BY item, ...] [LIMIT n] [OFFSET n]. The body of a view and a query.
struct SelectStatement {
  bool distinct = false;
  std::vector<SelectItem> items;
  std::string from;  // a stream (in a view) or a view or stream (in a query)
  SourcePosition from_position;
  ExprPtr timestamp_by;  // null without TIMESTAMP BY
  ExprPtr where;         // null without WHERE
  std::vector<ExprPtr> group_by;
  ExprPtr having;  // null without HAVING
  std::vector<OrderItem> order_by;
  std::optional<int64_t> limit;
  std::optional<int64_t> offset;
  SourcePosition position;
};

// CREATE [OR REPLACE] VIEW name AS select
struct CreateViewStatement {
  std::string name;
  bool or_replace = false;
  SelectStatement query;
  SourcePosition position;
  SourcePosition name_position;
};

// CREATE [OR REPLACE] ALERT name ON view WHERE condition
struct CreateAlertStatement {
  std::string name;
  bool or_replace = false;
  std::string view;
  ExprPtr condition;
  SourcePosition position;
  SourcePosition name_position;
  SourcePosition view_position;
};

// SET name = value (or SET name TO value): a session setting such as consistency.
struct SetStatement {
  std::string name;
  OptionValue value;
  SourcePosition position;
  SourcePosition name_position;
};

using Statement = std::variant<CreateStreamStatement, DropStatement, ShowStatement,
                               DescribeStatement, CreateViewStatement, CreateAlertStatement,
                               SelectStatement, SetStatement, AlterStreamStatement>;

// A statement with the exact source text it was parsed from (without the trailing ';').
struct ParsedStatement {
  Statement statement;
  std::string text;
  SourcePosition position;
};

}  // namespace braid::sql
