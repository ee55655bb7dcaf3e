#include "content/file_ops.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace content {

base::Error errno_error(std::string_view what, const std::string& path, int err) {
  return base::make_error(std::string(what) + " " + path + ": " + std::strerror(err));
}

Result<void> make_dirs(const std::string& path, unsigned mode) {
  if (path.empty()) return {};
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return {};
    return base::make_error("cannot create directory " + path + ": a file is in the way");
  }
  auto slash = path.find_last_of('/');
  if (slash != std::string::npos && slash > 0) TRY(make_dirs(path.substr(0, slash), mode));
  if (::mkdir(path.c_str(), static_cast<mode_t>(mode)) != 0 && errno != EEXIST)
    return errno_error("cannot create directory", path, errno);
  return {};
}

Result<base::UniqueFd> open_file(const std::string& path, int flags, unsigned mode) {
  for (;;) {
    int fd = ::open(path.c_str(), flags | O_CLOEXEC, static_cast<mode_t>(mode));
    if (fd >= 0) return base::UniqueFd(fd);
    if (errno != EINTR) return errno_error("cannot open", path, errno);
  }
}

Result<void> write_all(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("cannot write", path, errno);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

Result<size_t> read_some(int fd, char* buf, size_t size, const std::string& path) {
  for (;;) {
    ssize_t n = ::read(fd, buf, size);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno != EINTR) return errno_error("cannot read", path, errno);
  }
}

Result<void> fsync_fd(int fd, const std::string& path) {
  while (::fsync(fd) != 0)
    if (errno != EINTR) return errno_error("cannot fsync", path, errno);
  return {};
}

void start_writeback(int fd, int64_t offset, int64_t length) {
  // Errors are ignored on purpose: fsync at commit is what makes data durable.
  (void)::sync_file_range(fd, offset, length, SYNC_FILE_RANGE_WRITE);
}

Result<void> fsync_dir(const std::string& path) {
  TRY_ASSIGN(auto fd, open_file(path, O_RDONLY | O_DIRECTORY));
  return fsync_fd(fd.get(), path);
}

Result<void> rename_file(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0)
    return errno_error("cannot rename " + from + " to", to, errno);
  return {};
}

Result<void> remove_file(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return errno_error("cannot remove", path, errno);
  return {};
}

Result<void> remove_tree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return base::make_error("cannot remove " + path + ": " + ec.message());
  return {};
}

namespace {

Result<bool> flock_op(int fd, int op, const std::string& path) {
  for (;;) {
    if (::flock(fd, op) == 0) return true;
    if (errno == EWOULDBLOCK && (op & LOCK_NB)) return false;
    if (errno != EINTR) return errno_error("cannot lock", path, errno);
  }
}

}  // namespace

Result<void> lock_shared(int fd, const std::string& path) {
  TRY(flock_op(fd, LOCK_SH, path));
  return {};
}

Result<void> lock_exclusive(int fd, const std::string& path) {
  TRY(flock_op(fd, LOCK_EX, path));
  return {};
}

Result<bool> try_lock_exclusive(int fd, const std::string& path) {
  return flock_op(fd, LOCK_EX | LOCK_NB, path);
}

std::string random_hex() {
  unsigned char bytes[8];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    // getrandom on Linux >= 3.17 cannot fail for 8 bytes except by EINTR.
    if (n < 0) {
      if (errno == EINTR) continue;
      std::abort();
    }
    got += static_cast<size_t>(n);
  }
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += k_digits[b >> 4];
    out += k_digits[b & 0xf];
  }
  return out;
}

}  // namespace content
