// Small POSIX file helpers with errors as Status: an owning file descriptor (UniqueFd), whole-file
// reads, atomic replacement of a small file (write a temporary, fsync, rename, fsync the
// directory) and directory syncing. Paths are std::filesystem paths. Thread-safe as POSIX calls
// are; a UniqueFd is owned by one user at a time.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace braid {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.Release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = other.Release();
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void Reset();

 private:
  int fd_ = -1;
};

// A Status of kind kIoError naming the operation, the path and strerror(errno).
Status IoError(std::string_view operation, const std::filesystem::path& path, int err);

Result<UniqueFd> OpenFile(const std::filesystem::path& path, int flags, int mode = 0644);
Result<std::string> ReadWholeFile(const std::filesystem::path& path);
// Writes all of `data` at `offset` (retrying short writes and EINTR).
Status PWriteAll(int fd, std::string_view data, uint64_t offset, const std::filesystem::path& path);
// Reads exactly n bytes at offset into *out; fewer bytes available is kIoError ("short read").
Status PReadExact(int fd, uint64_t offset, size_t n, std::string* out,
                  const std::filesystem::path& path);

// fsync of a directory, so that created, renamed and deleted entries are durable.
Status SyncDirectory(const std::filesystem::path& dir);
// Creates the directory and its parents; syncs each parent that gained an entry.
Status CreateDirectoriesDurably(const std::filesystem::path& dir);
// Replaces `path` with `contents` atomically and durably: temporary file in the same directory,
// fsync, rename over `path`, fsync the directory. A crash leaves the old or the new file.
Status WriteFileAtomically(const std::filesystem::path& path, std::string_view contents);

// Names of the entries of a directory (not recursive), sorted.
Result<std::vector<std::string>> ListDirectory(const std::filesystem::path& dir);

}  // namespace braid
