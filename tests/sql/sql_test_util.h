// Helpers shared by the SQL layer's tests: checking an error's code, position and message, parsing
// and binding one CREATE STREAM, and a unique temporary directory removed at the end of a test.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "scoped_temp_dir.h"
#include "sql/parser.h"
#include "sql/stream_definition.h"

namespace braid::sql::testing {

struct ExpectedError {
  StatusCode code;
  int line;
  int column;
  std::string_view fragment;  // must occur in the message
};

inline ::testing::AssertionResult HasError(const Status& status, const ExpectedError& expected) {
  if (status.ok()) return ::testing::AssertionFailure() << "succeeded, expected an error";
  bool code_ok = status.code() == expected.code;
  bool position_ok = status.position() && status.position()->line == expected.line &&
                     status.position()->column == expected.column;
  bool message_ok = status.message().find(expected.fragment) != std::string::npos;
  if (code_ok && position_ok && message_ok) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "got " << status.ToString() << "; expected " << StatusCodeName(expected.code) << " at "
         << expected.line << ":" << expected.column << " containing '" << expected.fragment << "'";
}

// Parses one statement, which must be a CREATE STREAM, and binds it.
inline Result<StreamDefinition> BindSql(std::string_view sql) {
  ASSIGN_OR_RETURN(ParsedStatement parsed, ParseStatement(sql));
  const auto* create = std::get_if<CreateStreamStatement>(&parsed.statement);
  if (create == nullptr) return Status(StatusCode::kInternal, "not a CREATE STREAM");
  return BindCreateStream(*create);
}

using braid::testing::ScopedTempDir;

inline constexpr StatusCode kSyntax = StatusCode::kSyntaxError;

// One statement or expression and the error it must give.
struct ErrorCase {
  std::string_view sql;
  ExpectedError error;
};

}  // namespace braid::sql::testing
