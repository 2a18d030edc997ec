#include "server/pg_sql_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace braid::server {

namespace {

// Calls on_code(i) for every byte of `sql` that is code (not inside a quote or comment), and
// on_token(i) for every byte that is not whitespace or comment (quoted text included).
template <typename OnCode, typename OnToken>
void ScanSql(std::string_view sql, OnCode&& on_code, OnToken&& on_token) {
  size_t i = 0;
  const size_t n = sql.size();
  while (i < n) {
    const char c = sql[i];
    if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      while (i < n && sql[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      int depth = 0;
      while (i < n) {
        if (sql[i] == '/' && i + 1 < n && sql[i + 1] == '*') {
          ++depth, i += 2;
        } else if (sql[i] == '*' && i + 1 < n && sql[i + 1] == '/') {
          i += 2;
          if (--depth == 0) break;
        } else {
          ++i;
        }
      }
    } else if (c == '\'' || c == '"') {
      on_token(i++);
      while (i < n) {
        on_token(i);
        if (sql[i++] != c) continue;
        if (i < n && sql[i] == c) {  // a doubled quote stays inside
          on_token(i++);
          continue;
        }
        break;
      }
    } else {
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f') on_token(i);
      on_code(i);
      ++i;
    }
  }
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::vector<StatementText> SplitStatements(std::string_view query) {
  std::vector<StatementText> statements;
  std::optional<size_t> first;
  size_t last = 0;
  auto finish = [&] {
    if (first) statements.push_back({*first, query.substr(*first, last + 1 - *first)});
    first.reset();
  };
  ScanSql(
      query,
      [&](size_t i) {
        if (query[i] == ';') finish();
      },
      [&](size_t i) {
        if (query[i] == ';') return;
        if (!first) first = i;
        last = i;
      });
  finish();
  return statements;
}

int CountParameters(std::string_view sql) {
  int highest = 0;
  ScanSql(
      sql,
      [&](size_t i) {
        if (sql[i] != '$' || (i > 0 && (std::isalnum(static_cast<unsigned char>(sql[i - 1])) ||
                                        sql[i - 1] == '_'))) {
          return;
        }
        int n = 0;
        for (size_t j = i + 1; j < sql.size() && IsDigit(sql[j]) && n < 100000; ++j) {
          n = n * 10 + (sql[j] - '0');
        }
        highest = std::max(highest, n);
      },
      [](size_t) {});
  return highest;
}

Result<SubstitutedSql> SubstituteParameters(std::string_view sql,
                                            const std::vector<std::string>& literals) {
  SubstitutedSql result;
  size_t copied = 0;  // bytes of `sql` already copied or replaced
  Status error;       // positioned as line 1, column = byte offset + 1
  ScanSql(
      sql,
      [&](size_t i) {
        if (i < copied || sql[i] != '$' || i + 1 >= sql.size() || !IsDigit(sql[i + 1])) return;
        if (i > 0 && (std::isalnum(static_cast<unsigned char>(sql[i - 1])) || sql[i - 1] == '_')) {
          return;
        }
        size_t end = i + 1;
        size_t n = 0;
        while (end < sql.size() && IsDigit(sql[end]) && n < 100000) n = n * 10 + (sql[end++] - '0');
        if (n == 0 || n > literals.size()) {
          if (error.ok()) {
            error =
                Status(StatusCode::kInvalidArgument, fmt::format("there is no parameter ${}", n),
                       SourcePosition{1, static_cast<int>(i) + 1});
          }
          return;
        }
        result.text.append(sql.substr(copied, i - copied));
        result.replacements.push_back({.original_offset = i,
                                       .original_length = end - i,
                                       .offset = result.text.size(),
                                       .length = literals[n - 1].size()});
        result.text.append(literals[n - 1]);
        copied = end;
      },
      [](size_t) {});
  if (!error.ok()) return error;
  result.text.append(sql.substr(copied));
  return result;
}

size_t SubstitutedSql::OriginalOffset(size_t offset) const {
  std::ptrdiff_t shift = 0;  // original minus substituted, before `offset`
  for (const Replacement& r : replacements) {
    if (offset < r.offset) break;
    if (offset < r.offset + r.length) return r.original_offset;
    shift = static_cast<std::ptrdiff_t>(r.original_offset + r.original_length) -
            static_cast<std::ptrdiff_t>(r.offset + r.length);
  }
  return static_cast<size_t>(static_cast<std::ptrdiff_t>(offset) + shift);
}

size_t ByteOffsetOf(std::string_view text, SourcePosition position) {
  size_t offset = 0;
  for (int line = 1; line < position.line; ++line) {
    const size_t newline = text.find('\n', offset);
    if (newline == std::string_view::npos) return text.size();
    offset = newline + 1;
  }
  return std::min(text.size(), offset + static_cast<size_t>(std::max(position.column, 1) - 1));
}

int CharacterPosition(std::string_view text, size_t byte_offset) {
  int characters = 0;
  for (size_t i = 0; i < byte_offset && i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xc0) != 0x80) ++characters;
  }
  return characters + 1;
}

}  // namespace braid::server
