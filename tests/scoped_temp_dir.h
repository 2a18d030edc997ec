// ScopedTempDir: a fresh, empty directory under the system's temp directory for one test, removed
// with everything in it when the object goes out of scope. Shared by every test binary.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace braid::testing {

class ScopedTempDir {
 public:
  // `prefix` names the directory ("braid-<prefix>-XXXXXX") so leftovers say who made them.
  explicit ScopedTempDir(const std::string& prefix = "test") {
    std::string pattern =
        (std::filesystem::temp_directory_path() / ("braid-" + prefix + "-XXXXXX")).string();
    EXPECT_NE(::mkdtemp(pattern.data()), nullptr) << "mkdtemp " << pattern;
    path_ = pattern;
  }
  ~ScopedTempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // A path inside the directory.
  std::filesystem::path File(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace braid::testing
