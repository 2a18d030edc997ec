#include "common/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

namespace braid {

namespace fs = std::filesystem;

void UniqueFd::Reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Status IoError(std::string_view operation, const fs::path& path, int err) {
  return Status(StatusCode::kIoError,
                fmt::format("{} '{}': {}", operation, path.string(), std::strerror(err)));
}

Result<UniqueFd> OpenFile(const fs::path& path, int flags, int mode) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return IoError("open", path, errno);
  return UniqueFd(fd);
}

Result<std::string> ReadWholeFile(const fs::path& path) {
  ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(path, O_RDONLY));
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return IoError("stat", path, errno);
  std::string out;
  RETURN_IF_ERROR(PReadExact(fd.get(), 0, static_cast<size_t>(st.st_size), &out, path));
  return out;
}

Status PWriteAll(int fd, std::string_view data, uint64_t offset, const fs::path& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::pwrite(fd, data.data() + done, data.size() - done,
                         static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("write", path, errno);
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status PReadExact(int fd, uint64_t offset, size_t n, std::string* out, const fs::path& path) {
  out->resize(n);
  size_t done = 0;
  while (done < n) {
    ssize_t r = ::pread(fd, out->data() + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return IoError("read", path, errno);
    }
    if (r == 0) {
      return Status(StatusCode::kIoError,
                    fmt::format("read '{}': short read ({} of {} bytes at offset {})",
                                path.string(), done, n, offset));
    }
    done += static_cast<size_t>(r);
  }
  return Status::Ok();
}

Status SyncDirectory(const fs::path& dir) {
  ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(dir, O_RDONLY | O_DIRECTORY));
  if (::fsync(fd.get()) != 0) return IoError("fsync directory", dir, errno);
  return Status::Ok();
}

Status CreateDirectoriesDurably(const fs::path& dir) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return Status::Ok();
  fs::path parent = dir.parent_path();
  if (!parent.empty() && parent != dir) RETURN_IF_ERROR(CreateDirectoriesDurably(parent));
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return IoError("mkdir", dir, errno);
  if (!parent.empty()) RETURN_IF_ERROR(SyncDirectory(parent));
  return Status::Ok();
}

Status WriteFileAtomically(const fs::path& path, std::string_view contents) {
  fs::path tmp = path;
  tmp += fmt::format(".tmp-{}", ::getpid());
  {
    ASSIGN_OR_RETURN(UniqueFd fd, OpenFile(tmp, O_WRONLY | O_CREAT | O_TRUNC));
    RETURN_IF_ERROR(PWriteAll(fd.get(), contents, 0, tmp));
    if (::fsync(fd.get()) != 0) return IoError("fsync", tmp, errno);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) return IoError("rename", tmp, errno);
  return SyncDirectory(path.has_parent_path() ? path.parent_path() : fs::path("."));
}

Result<std::vector<std::string>> ListDirectory(const fs::path& dir) {
  std::error_code ec;
  std::vector<std::string> names;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  if (ec) return IoError("list directory", dir, ec.value());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace braid
