// StreamDefinition's canonical SQL, equality and differences (stream_definition.h). All three
// read a definition through OptionsOf, so what ToSql writes is exactly what equality compares.
#include "sql/stream_definition.h"

#include <fmt/format.h>

#include "sql/keywords.h"

namespace braid::sql {
namespace {

// One WITH option as canonical SQL: name = literal.
struct OptionText {
  std::string_view name;
  std::string literal;
};

// Every option of a definition with a value, defaults included, in canonical order.
std::vector<OptionText> OptionsOf(const StreamDefinition& d) {
  auto duration = [](Duration value) { return FormatStringLiteral(FormatDuration(value)); };
  std::vector<OptionText> options;
  options.push_back({"partitions", fmt::format("{}", d.partitions)});
  if (d.partition_key) options.push_back({"partition_key", FormatStringLiteral(*d.partition_key)});
  if (d.timestamp) options.push_back({"timestamp", FormatStringLiteral(*d.timestamp)});
  options.push_back({"out_of_order", duration(d.out_of_order)});
  options.push_back({"allowed_lateness", duration(d.allowed_lateness)});
  options.push_back(
      {"out_of_order_policy", FormatStringLiteral(OutOfOrderPolicyName(d.out_of_order_policy))});
  options.push_back({"max_future", duration(d.max_future)});
  options.push_back({"idle_timeout", duration(d.idle_timeout)});
  if (d.retention) options.push_back({"retention", duration(*d.retention)});
  if (d.retention_bytes) {
    options.push_back({"retention_bytes", fmt::format("{}", *d.retention_bytes)});
  }
  return options;
}

const std::vector<Field>& FieldsOf(const StreamDefinition& d) {
  static const std::vector<Field> kNoFields;
  return d.schema ? d.schema->fields() : kNoFields;
}

// A column as declared in canonical SQL: name TYPE [NOT NULL].
std::string ColumnText(const Field& field) {
  return fmt::format("{} {}{}", FormatIdentifier(field.name), DataTypeName(field.type),
                     field.nullable ? "" : " NOT NULL");
}

std::string LiteralOrNone(const std::vector<OptionText>& options, std::string_view name) {
  for (const OptionText& option : options) {
    if (option.name == name) return option.literal;
  }
  return "none";
}

void AddColumnDifferences(const StreamDefinition& requested, const StreamDefinition& existing,
                          std::vector<std::string>& differences) {
  const std::vector<Field>& mine = FieldsOf(requested);
  const std::vector<Field>& theirs = FieldsOf(existing);
  if (mine.size() != theirs.size()) {
    differences.push_back(fmt::format("{} columns vs existing {}", mine.size(), theirs.size()));
  }
  for (size_t i = 0; i < std::min(mine.size(), theirs.size()); ++i) {
    if (mine[i] == theirs[i]) continue;
    differences.push_back(fmt::format("column {} {} vs existing {}", i + 1, ColumnText(mine[i]),
                                      ColumnText(theirs[i])));
  }
}

}  // namespace

std::string_view OutOfOrderPolicyName(OutOfOrderPolicy policy) {
  switch (policy) {
    case OutOfOrderPolicy::kAdjust:
      return "adjust";
    case OutOfOrderPolicy::kDrop:
      return "drop";
  }
  return "adjust";
}

std::string StreamDefinition::ToSql() const {
  std::string sql = fmt::format("CREATE STREAM {} (\n", FormatIdentifier(name));
  const std::vector<Field>& fields = FieldsOf(*this);
  for (size_t i = 0; i < fields.size(); ++i) {
    sql += fmt::format("  {}{}\n", ColumnText(fields[i]), i + 1 < fields.size() ? "," : "");
  }
  sql += ") WITH (\n";
  std::vector<OptionText> options = OptionsOf(*this);
  for (size_t i = 0; i < options.size(); ++i) {
    sql += fmt::format("  {} = {}{}\n", options[i].name, options[i].literal,
                       i + 1 < options.size() ? "," : "");
  }
  sql += ")";
  return sql;
}

bool StreamDefinition::operator==(const StreamDefinition& other) const {
  return DescribeDifferences(*this, other).empty();
}

std::vector<std::string> DescribeDifferences(const StreamDefinition& requested,
                                             const StreamDefinition& existing) {
  std::vector<std::string> differences;
  if (!IdentifierEquals(requested.name, existing.name)) {
    differences.push_back(fmt::format("name {} vs existing {}", FormatIdentifier(requested.name),
                                      FormatIdentifier(existing.name)));
  }
  AddColumnDifferences(requested, existing, differences);
  std::vector<OptionText> mine = OptionsOf(requested);
  std::vector<OptionText> theirs = OptionsOf(existing);
  auto compare = [&](std::string_view name) {
    std::string mine_literal = LiteralOrNone(mine, name);
    std::string theirs_literal = LiteralOrNone(theirs, name);
    if (mine_literal != theirs_literal) {
      differences.push_back(
          fmt::format("{} {} vs existing {}", name, mine_literal, theirs_literal));
    }
  };
  for (const OptionText& option : mine) compare(option.name);
  for (const OptionText& option : theirs) {
    if (LiteralOrNone(mine, option.name) == "none") compare(option.name);  // set only there
  }
  return differences;
}

}  // namespace braid::sql
