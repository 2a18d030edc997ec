#include "server/pg_compat_catalog.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <regex>
#include <sstream>

#include "server/pg_types.h"

namespace braid::server {

serving::QueryResult CompatTable::ToResult() const {
  std::vector<Field> fields;
  for (const Column& column : columns) fields.push_back({column.name, column.type, true});
  serving::QueryResult result;
  result.schema = std::make_shared<const Schema>(std::move(fields));
  Chunk chunk(result.schema);
  for (const std::vector<CompatValue>& row : rows) {
    for (size_t c = 0; c < columns.size(); ++c) {
      braid::Column& column = chunk.mutable_column(c);
      const CompatValue& value = row[c];
      if (std::holds_alternative<std::monostate>(value)) {
        column.AppendNull();
      } else if (const bool* b = std::get_if<bool>(&value)) {
        column.AppendBool(*b);
      } else if (const int64_t* i = std::get_if<int64_t>(&value)) {
        column.AppendInt64(*i);
      } else {
        column.AppendString(std::get<std::string>(value));
      }
    }
  }
  result.command_tag = fmt::format("SELECT {}", rows.size());
  result.chunks.push_back(std::move(chunk));
  return result;
}

namespace {

// A relation as pg_class shows it: streams are tables ('r'), views are views ('v').
struct Relation {
  std::string name;
  char relkind = 'r';
  std::vector<Field> columns;
  int64_t oid = 0;
  std::string definition;  // a view's canonical CREATE VIEW
};

// A stable OID per name, above PostgreSQL's first user OID (16384).
int64_t RelationOid(std::string_view name) {
  uint32_t hash = 2166136261u;  // FNV-1a
  for (char c : CanonicalIdentifier(name)) hash = (hash ^ static_cast<uint8_t>(c)) * 16777619u;
  return 16384 + static_cast<int64_t>(hash % 1000000000u);
}

// Every relation, sorted by name.
std::vector<Relation> Relations(serving::Database& database) {
  std::vector<Relation> relations;
  for (const sql::StreamDefinitionPtr& stream : database.catalog().Streams()) {
    relations.push_back(
        {stream->name, 'r', stream->schema->fields(), RelationOid(stream->name), std::string()});
  }
  for (const sql::ViewPlanPtr& view : database.catalog().Views()) {
    Relation relation{view->name, 'v', view->output_schema->fields(), RelationOid(view->name),
                      view->sql};
    if (!view->output_schema->FindField(sql::kSourceColumn)) {
      relation.columns.push_back({std::string(sql::kSourceColumn), DataType::kString, false});
    }
    relations.push_back(std::move(relation));
  }
  std::sort(relations.begin(), relations.end(), [](const Relation& a, const Relation& b) {
    return CanonicalIdentifier(a.name) < CanonicalIdentifier(b.name);
  });
  return relations;
}

// The items of the outermost SELECT list, split at commas outside parentheses and quotes.
std::vector<std::string> SelectItems(std::string_view sql) {
  std::vector<std::string> items;
  const std::string lower = CanonicalIdentifier(sql);
  size_t i = lower.find("select");
  if (i == std::string::npos) return items;
  i += 6;
  int depth = 0;
  char quote = 0;
  std::string item;
  for (; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (depth == 0 && c == ',') {
      items.push_back(item);
      item.clear();
      continue;
    } else if (depth == 0 && lower.compare(i, 5, "from ") == 0 &&
               (i == 0 || std::isspace(static_cast<unsigned char>(sql[i - 1])))) {
      break;
    }
    item.push_back(c);
  }
  items.push_back(item);
  return items;
}

// The alias of a select item (`... as "Name"` or `... AS name`), else the item.
std::string AliasOf(const std::string& item) {
  static const std::regex kAlias(R"re(\s+as\s+"?([^"]+?)"?\s*$)re", std::regex::icase);
  std::smatch match;
  if (std::regex_search(item, match, kAlias)) return match[1].str();
  std::string trimmed = item;
  trimmed.erase(0, trimmed.find_first_not_of(" \t\r\n"));
  trimmed.erase(trimmed.find_last_not_of(" \t\r\n") + 1);
  const size_t dot = trimmed.rfind('.');
  return dot == std::string::npos ? trimmed : trimmed.substr(dot + 1);
}

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// `text` with each doubled character `pair` ("''" in a SQL string literal) made single.
std::string Undoubled(std::string text, std::string_view pair) {
  for (size_t at = text.find(pair); at != std::string::npos; at = text.find(pair, at + 1)) {
    text.erase(at, 1);
  }
  return text;
}

// The relation a query names by `<column> = '<oid>'`, if any.
const Relation* RelationByOid(const std::vector<Relation>& relations, std::string_view lower,
                              const std::regex& condition) {
  std::cmatch match;
  if (!std::regex_search(lower.begin(), lower.end(), match, condition)) return nullptr;
  int64_t oid = 0;
  const std::string digits = match[1].str();
  std::from_chars(digits.data(), digits.data() + digits.size(), oid);
  for (const Relation& relation : relations) {
    if (relation.oid == oid) return &relation;
  }
  return nullptr;
}

// The relations whose name matches the query's `c.relname OPERATOR(pg_catalog.~) '<regex>'`
// (psql's pattern), all when it has none.
bool NameMatches(std::string_view lower, const Relation& relation) {
  static const std::regex kPattern(
      R"re(c\.relname\s+operator\(pg_catalog\.~\)\s+'((?:[^']|'')*)')re");
  std::cmatch match;
  if (!std::regex_search(lower.begin(), lower.end(), match, kPattern)) return true;
  const std::string pattern = Undoubled(match[1].str(), "''");
  try {  // std::regex throws on a pattern it cannot compile; Braid code never lets it escape
    return std::regex_search(CanonicalIdentifier(relation.name), std::regex(pattern));
  } catch (const std::regex_error&) {
    return false;
  }
}

// One cell of psql's \d listing for `relation`, by the column's alias.
CompatValue ListedValue(const std::string& alias, const Relation& relation,
                        const PgClientInfo& client) {
  if (alias == "Schema") return CompatValue(std::string("public"));
  if (alias == "Name") return CompatValue(relation.name);
  if (alias == "Type") return CompatValue(std::string(relation.relkind == 'v' ? "view" : "table"));
  if (alias == "Owner") return CompatValue(std::string(client.user));
  if (alias == "Persistence") return CompatValue(std::string("permanent"));
  if (alias == "Access method" && relation.relkind != 'v') return CompatValue(std::string("heap"));
  if (alias == "Size") return CompatValue(std::string("0 bytes"));
  return CompatValue();
}

// psql's relation list (\d, \dt, \dv, \d+ ...): one row per relation of the kinds asked for.
serving::QueryResult ListRelations(std::string_view sql, std::string_view lower,
                                   const std::vector<Relation>& relations,
                                   const PgClientInfo& client) {
  static const std::regex kKinds(R"re(c\.relkind\s+in\s+\(([^)]*)\))re");
  std::cmatch kinds;
  const bool filtered = std::regex_search(lower.begin(), lower.end(), kinds, kKinds);
  CompatTable table;
  const std::vector<std::string> items = SelectItems(sql);
  for (const std::string& item : items) table.columns.push_back({AliasOf(item), DataType::kString});
  for (const Relation& relation : relations) {
    const std::string kind = fmt::format("'{}'", relation.relkind);
    if ((filtered && !Contains(kinds[1].str(), kind)) || !NameMatches(lower, relation)) continue;
    std::vector<CompatValue>& row = table.rows.emplace_back();
    for (const CompatTable::Column& column : table.columns) {
      row.push_back(ListedValue(column.name, relation, client));
    }
  }
  return table.ToResult();
}

// `SELECT c.oid, n.nspname, c.relname ... WHERE c.relname OPERATOR(pg_catalog.~) ...`: psql's
// first step of \d name.
serving::QueryResult FindRelations(std::string_view lower, const std::vector<Relation>& relations) {
  CompatTable table;
  table.columns = {
      {"oid", DataType::kBigint}, {"nspname", DataType::kString}, {"relname", DataType::kString}};
  for (const Relation& relation : relations) {
    if (!NameMatches(lower, relation)) continue;
    table.rows.push_back({relation.oid, std::string("public"), relation.name});
  }
  return table.ToResult();
}

// psql's relation details (`SELECT c.relchecks, c.relkind, ... WHERE c.oid = '...'`), item by
// item so any psql version's list is answered.
serving::QueryResult RelationDetails(std::string_view sql, const Relation& relation) {
  CompatTable table;
  std::vector<CompatValue>& row = table.rows.emplace_back();
  for (const std::string& item : SelectItems(sql)) {
    const std::string lower = CanonicalIdentifier(item);
    DataType type = DataType::kString;
    CompatValue value;
    if (Contains(lower, "relchecks") || Contains(lower, "reltablespace")) {
      type = DataType::kBigint, value = int64_t{0};
    } else if (Contains(lower, "relkind")) {
      value = std::string(1, relation.relkind);
    } else if (Contains(lower, "relhas") || Contains(lower, "relrowsecurity") ||
               Contains(lower, "relforcerowsecurity") || Contains(lower, "relispartition")) {
      type = DataType::kBoolean, value = false;
    } else if (Contains(lower, "reloptions") || Contains(lower, "reloftype")) {
      value = std::string();
    } else if (Contains(lower, "relpersistence")) {
      value = std::string("p");
    } else if (Contains(lower, "relreplident")) {
      value = std::string("d");
    } else if (Contains(lower, "amname") && relation.relkind == 'r') {
      value = std::string("heap");
    }
    table.columns.push_back({AliasOf(item), type});
    row.push_back(std::move(value));
  }
  return table.ToResult();
}

// psql's column list (`FROM pg_catalog.pg_attribute a WHERE a.attrelid = '...'`).
serving::QueryResult RelationColumns(std::string_view sql, const Relation& relation) {
  CompatTable table;
  const std::vector<std::string> items = SelectItems(sql);
  for (const std::string& item : items) {
    const bool flag = Contains(CanonicalIdentifier(item), "attnotnull");
    table.columns.push_back({AliasOf(item), flag ? DataType::kBoolean : DataType::kString});
  }
  for (const Field& field : relation.columns) {
    std::vector<CompatValue>& row = table.rows.emplace_back();
    for (const std::string& item : items) {
      const std::string lower = CanonicalIdentifier(item);
      if (Contains(lower, "attname")) {
        row.emplace_back(field.name);
      } else if (Contains(lower, "format_type")) {
        row.emplace_back(std::string(TypeDisplayName(field.type)));
      } else if (Contains(lower, "attnotnull")) {
        row.emplace_back(!field.nullable);
      } else if (Contains(lower, "attidentity") || Contains(lower, "attgenerated")) {
        row.emplace_back(std::string());
      } else if (Contains(lower, "attstorage")) {
        row.emplace_back(std::string(field.type == DataType::kString ? "x" : "p"));
      } else {
        row.emplace_back();
      }
    }
  }
  return table.ToResult();
}

// A pg_catalog query Braid has nothing to answer with (indexes, policies, publications, ...):
// no rows. psql only reads the rows such queries return.
serving::QueryResult NothingToList(std::string_view sql) {
  CompatTable table;
  for (const std::string& item : SelectItems(sql)) {
    table.columns.push_back({AliasOf(item), DataType::kString});
  }
  return table.ToResult();
}

// psql's \gdesc: having described the statement, psql asks for the names and types it learned,
// `SELECT name AS "Column", pg_catalog.format_type(tp, tpm) AS "Type" FROM (VALUES ('name',
// '25'::pg_catalog.oid, -1), ...) s(name, tp, tpm)`. The names are literals as PQescapeLiteral
// writes them: quotes doubled, and ` E'...'` with backslashes doubled when there are any.
// nullopt when the VALUES list is not of that shape.
std::optional<serving::QueryResult> DescribedColumns(std::string_view sql) {
  static const std::regex kTuple(
      R"re(^\s*\(\s*(E?)'((?:[^']|'')*)'\s*,\s*'(\d+)'::pg_catalog\.oid\s*,\s*-?\d+\s*\)\s*([,)]))re",
      std::regex::icase);
  const size_t values = CanonicalIdentifier(sql).find("(values");
  if (values == std::string::npos) return std::nullopt;
  CompatTable table;
  const std::vector<std::string> items = SelectItems(sql);
  for (const std::string& item : items) table.columns.push_back({AliasOf(item), DataType::kString});
  std::string_view rest = sql.substr(values + 7);
  for (bool more = true; more;) {
    std::cmatch tuple;
    if (!std::regex_search(rest.begin(), rest.end(), tuple, kTuple)) return std::nullopt;
    std::string name = Undoubled(tuple[2].str(), "''");
    if (tuple[1].length() > 0) name = Undoubled(std::move(name), "\\\\");
    int32_t oid = 0;
    const std::string digits = tuple[3].str();
    std::from_chars(digits.data(), digits.data() + digits.size(), oid);
    std::vector<CompatValue>& row = table.rows.emplace_back();
    for (const std::string& item : items) {
      if (Contains(CanonicalIdentifier(item), "format_type")) {
        row.emplace_back(std::string(TypeOidDisplayName(oid)));
      } else {
        row.emplace_back(name);
      }
    }
    more = tuple[4].str() == ",";
    rest.remove_prefix(tuple.length(0));
  }
  return table.ToResult();
}

// information_schema.tables or .columns in full.
CompatTable InformationSchemaTable(bool columns, const std::vector<Relation>& relations,
                                   const PgClientInfo& client) {
  CompatTable table;
  table.columns = {{"table_catalog", DataType::kString},
                   {"table_schema", DataType::kString},
                   {"table_name", DataType::kString}};
  if (!columns) {
    table.columns.push_back({"table_type", DataType::kString});
    for (const Relation& r : relations) {
      table.rows.push_back({std::string(client.database), std::string("public"), r.name,
                            std::string(r.relkind == 'v' ? "VIEW" : "BASE TABLE")});
    }
    return table;
  }
  table.columns.insert(table.columns.end(), {{"column_name", DataType::kString},
                                             {"ordinal_position", DataType::kBigint},
                                             {"data_type", DataType::kString},
                                             {"is_nullable", DataType::kString}});
  for (const Relation& r : relations) {
    for (size_t i = 0; i < r.columns.size(); ++i) {
      const Field& field = r.columns[i];
      table.rows.push_back({std::string(client.database), std::string("public"), r.name, field.name,
                            static_cast<int64_t>(i + 1), std::string(TypeDisplayName(field.type)),
                            std::string(field.nullable ? "YES" : "NO")});
    }
  }
  return table;
}

Status UnsupportedInformationSchema(std::string_view what) {
  return Status(StatusCode::kUnsupported,
                fmt::format("information_schema queries support only SELECT columns FROM "
                            "information_schema.tables|columns [WHERE column = 'text' AND ...] "
                            "[ORDER BY columns]; not {}",
                            what));
}

std::optional<size_t> ColumnIndex(const CompatTable& table, std::string name) {
  name = CanonicalIdentifier(
      name.substr(name.rfind('.') == std::string::npos ? 0 : name.rfind('.') + 1));
  for (size_t i = 0; i < table.columns.size(); ++i) {
    if (table.columns[i].name == name) return i;
  }
  return std::nullopt;
}

// Keeps the rows of `table` meeting every `column = 'text'` condition of `where`.
Status FilterRows(CompatTable& table, const std::string& where) {
  static const std::regex kCondition(R"re(^\s*([\w.]+)\s*(=|<>|!=)\s*'([^']*)'\s*$)re");
  static const std::regex kAnd(R"re(\s+and\s+)re", std::regex::icase);
  for (std::sregex_token_iterator it(where.begin(), where.end(), kAnd, -1), end; it != end; ++it) {
    const std::string condition = *it;
    std::smatch match;
    std::optional<size_t> column;
    if (std::regex_match(condition, match, kCondition)) column = ColumnIndex(table, match[1].str());
    if (!column) return UnsupportedInformationSchema(condition);
    const bool equal = match[2].str() == "=";
    std::erase_if(table.rows, [&](const std::vector<CompatValue>& row) {
      const std::string* text = std::get_if<std::string>(&row[*column]);
      return (text != nullptr && *text == match[3].str()) != equal;
    });
  }
  return Status::Ok();
}

// Sorts by the ORDER BY list (names or 1-based positions, ASC only).
Status SortRows(CompatTable& table, const std::string& order_by) {
  std::vector<size_t> keys;
  std::stringstream list(order_by);
  for (std::string key; std::getline(list, key, ',');) {
    key.erase(0, key.find_first_not_of(' '));
    key.erase(key.find_last_not_of(' ') + 1);
    if (CanonicalIdentifier(key).ends_with(" asc")) key.resize(key.size() - 4);
    std::optional<size_t> column = ColumnIndex(table, key);
    if (!column && !key.empty() && std::isdigit(static_cast<unsigned char>(key[0]))) {
      size_t position = 0;
      std::from_chars(key.data(), key.data() + key.size(), position);
      if (position >= 1 && position <= table.columns.size()) column = position - 1;
    }
    if (!column) return UnsupportedInformationSchema("ORDER BY " + key);
    keys.push_back(*column);
  }
  std::stable_sort(table.rows.begin(), table.rows.end(), [&](const auto& a, const auto& b) {
    for (size_t key : keys) {
      if (a[key] != b[key]) return a[key] < b[key];
    }
    return false;
  });
  return Status::Ok();
}

Result<serving::QueryResult> AnswerInformationSchema(std::string_view sql,
                                                     const std::vector<Relation>& relations,
                                                     const PgClientInfo& client) {
  static const std::regex kQuery(
      R"re(^\s*select\s+([\s\S]+?)\s+from\s+information_schema\.(tables|columns))re"
      R"re((?:\s+where\s+([\s\S]+?))?(?:\s+order\s+by\s+([\s\S]+?))?\s*;?\s*$)re",
      std::regex::icase);
  const std::string text(sql);
  std::smatch match;
  if (!std::regex_match(text, match, kQuery)) return UnsupportedInformationSchema("this query");
  CompatTable all =
      InformationSchemaTable(CanonicalIdentifier(match[2].str()) == "columns", relations, client);
  if (match[3].matched) RETURN_IF_ERROR(FilterRows(all, match[3].str()));
  if (match[4].matched) RETURN_IF_ERROR(SortRows(all, match[4].str()));
  if (match[1].str() == "*") return all.ToResult();
  CompatTable picked;
  std::vector<size_t> indexes;
  for (const std::string& item : SelectItems(text)) {
    std::string name = item;
    name.erase(0, name.find_first_not_of(" \t\r\n"));
    name.erase(name.find_last_not_of(" \t\r\n") + 1);
    const std::string alias = AliasOf(item);
    const size_t space = name.find_first_of(" \t\r\n");
    std::optional<size_t> column = ColumnIndex(all, name.substr(0, space));
    if (!column) return UnsupportedInformationSchema("the column " + name);
    indexes.push_back(*column);
    picked.columns.push_back({space == std::string::npos ? all.columns[*column].name : alias,
                              all.columns[*column].type});
  }
  for (const std::vector<CompatValue>& row : all.rows) {
    std::vector<CompatValue>& out = picked.rows.emplace_back();
    for (size_t index : indexes) out.push_back(row[index]);
  }
  return picked.ToResult();
}

}  // namespace

std::optional<Result<serving::QueryResult>> AnswerCatalogQuery(std::string_view sql,
                                                               serving::Database& database,
                                                               const PgClientInfo& client) {
  static const std::regex kByClassOid(R"re(c\.oid\s*=\s*'(\d+)')re");
  static const std::regex kViewOid(R"re(pg_get_viewdef\('(\d+)')re");
  static const std::regex kByAttributeOid(R"re(a\.attrelid\s*=\s*'(\d+)')re");
  const std::string lower = CanonicalIdentifier(sql);
  const std::vector<Relation> relations = Relations(database);
  if (Contains(lower, "information_schema.")) {
    return AnswerInformationSchema(sql, relations, client);
  }
  if (Contains(lower, "from pg_catalog.pg_class c") && Contains(lower, "as \"schema\"")) {
    return Result<serving::QueryResult>(ListRelations(sql, lower, relations, client));
  }
  if (Contains(lower, "select c.oid,") && Contains(lower, "from pg_catalog.pg_class c")) {
    return Result<serving::QueryResult>(FindRelations(lower, relations));
  }
  if (Contains(lower, "c.relchecks")) {
    const Relation* relation = RelationByOid(relations, lower, kByClassOid);
    if (relation != nullptr) return Result<serving::QueryResult>(RelationDetails(sql, *relation));
  }
  if (Contains(lower, "pg_get_viewdef(")) {  // \d+ view: its definition
    const Relation* relation = RelationByOid(relations, lower, kViewOid);
    if (relation != nullptr && relation->relkind == 'v') {
      CompatTable table{.columns = {{"pg_get_viewdef", DataType::kString}},
                        .rows = {{relation->definition}}};
      return Result<serving::QueryResult>(table.ToResult());
    }
  }
  if (Contains(lower, "pg_catalog.format_type(tp, tpm)") && Contains(lower, "s(name, tp, tpm)")) {
    std::optional<serving::QueryResult> described = DescribedColumns(sql);
    if (described) return Result<serving::QueryResult>(std::move(*described));
  }
  if (Contains(lower, "from pg_catalog.pg_attribute a")) {
    const Relation* relation = RelationByOid(relations, lower, kByAttributeOid);
    if (relation != nullptr) return Result<serving::QueryResult>(RelationColumns(sql, *relation));
  }
  return Result<serving::QueryResult>(NothingToList(sql));
}

}  // namespace braid::server
