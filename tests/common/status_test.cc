#include "common/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <utility>

namespace braid {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return Status(StatusCode::kInvalidArgument, "odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int h, Half(x));
  ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(StatusTest, CodesMapToSqlStateAndHttp) {
  EXPECT_EQ(SqlState(StatusCode::kSyntaxError), "42601");
  EXPECT_EQ(SqlState(StatusCode::kUndefinedObject), "42P01");
  EXPECT_EQ(SqlState(StatusCode::kCancelled), "57014");
  EXPECT_EQ(SqlState(StatusCode::kCorruption), "XX001");
  EXPECT_EQ(SqlState(StatusCode::kOutOfMemory), "53200");
  EXPECT_EQ(HttpStatusOf(StatusCode::kSyntaxError), 400);
  EXPECT_EQ(HttpStatusOf(StatusCode::kUndefinedObject), 404);
  EXPECT_EQ(HttpStatusOf(StatusCode::kTooLarge), 413);
  EXPECT_EQ(HttpStatusOf(StatusCode::kIoError), 500);
}

TEST(StatusTest, ToStringIncludesPosition) {
  Status s(StatusCode::kSyntaxError, "expected ')'", SourcePosition{3, 14});
  EXPECT_EQ(s.ToString(), "syntax_error at 3:14: expected ')'");
  EXPECT_EQ(Status(StatusCode::kIoError, "disk").WithContext("segment 7").message(),
            "segment 7: disk");
  EXPECT_EQ(Status::Ok().ToString(), "ok");
}

TEST(StatusTest, AssignOrReturnPropagates) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "odd");
}

// Counts its copies (moves are free).
struct CopyCounted {
  static inline int copies = 0;
  CopyCounted() = default;
  CopyCounted(const CopyCounted&) { ++copies; }
  CopyCounted(CopyCounted&&) = default;
  CopyCounted& operator=(const CopyCounted&) {
    ++copies;
    return *this;
  }
  CopyCounted& operator=(CopyCounted&&) = default;
};

Result<CopyCounted> MakeCopyCounted() { return CopyCounted(); }

// `*` of a temporary Result moves its value out (a move-only value compiles; nothing is copied);
// of a named one it gives a reference.
TEST(StatusTest, DereferencingATemporaryResultMoves) {
  std::unique_ptr<int> moved = *Result<std::unique_ptr<int>>(std::make_unique<int>(7));
  ASSERT_NE(moved, nullptr);
  EXPECT_EQ(*moved, 7);
  CopyCounted::copies = 0;
  CopyCounted value = *MakeCopyCounted();
  EXPECT_EQ(CopyCounted::copies, 0);
  Result<CopyCounted> named = MakeCopyCounted();
  CopyCounted copied = *named;
  EXPECT_EQ(CopyCounted::copies, 1);
  (void)value;
  (void)copied;
}

}  // namespace
}  // namespace braid
