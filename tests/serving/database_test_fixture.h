// The serving tests' fixture base: a Database over a scratch data directory, which Open()
// (re)opens as a restarted server would. Test-only.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <utility>

#include "lake/lake_test_util.h"
#include "serving/database.h"

namespace braid::serving::testing {

class DatabaseTest : public ::testing::Test {
 protected:
  // Closes the database (if open) and opens it again over the same directory.
  void Open() {
    db_.reset();
    DatabaseOptions options;
    options.data_dir = dir_.path();
    Result<std::unique_ptr<Database>> db = Database::Open(options);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }

  lake::testing::ScratchDir dir_;
  std::unique_ptr<Database> db_;
};

}  // namespace braid::serving::testing
