#pragma once
// The few POSIX file operations the content store is built from, each
// retrying EINTR and turning errno into an Error that names the path. Kept
// separate so that the store's code reads as the protocol it implements.

#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/unique_fd.h"

namespace content {

using base::Result;

base::Error errno_error(std::string_view what, const std::string& path, int err);

// mkdir -p with `mode` for the directories it creates.
Result<void> make_dirs(const std::string& path, unsigned mode = 0755);
Result<base::UniqueFd> open_file(const std::string& path, int flags, unsigned mode = 0);
Result<void> write_all(int fd, std::string_view bytes, const std::string& path);
// Reads up to `size` bytes; returns 0 only at end of file.
Result<size_t> read_some(int fd, char* buf, size_t size, const std::string& path);
Result<void> fsync_fd(int fd, const std::string& path);
// Asks the kernel to start writing [offset, offset + length) of `fd` to disk
// without waiting for it, so that a later fsync finds little left to do. A
// hint only: where the file system does not support it, nothing happens.
void start_writeback(int fd, int64_t offset, int64_t length);
// fsync of a directory, so that a rename or unlink in it survives a power cut.
Result<void> fsync_dir(const std::string& path);
Result<void> rename_file(const std::string& from, const std::string& to);
// unlink; a missing file is not an error.
Result<void> remove_file(const std::string& path);
// rm -rf of a file or directory tree; a missing path is not an error.
Result<void> remove_tree(const std::string& path);

// Whole-file flock. `try_lock_exclusive` answers false (not an error) when
// another open file description holds a lock.
Result<void> lock_shared(int fd, const std::string& path);
Result<void> lock_exclusive(int fd, const std::string& path);
Result<bool> try_lock_exclusive(int fd, const std::string& path);

// 16 random hex characters from getrandom(), for unique temporary names.
std::string random_hex();

}  // namespace content
