#pragma once
// TmpDir: the store's `tmp/` directory, shared by every kiln process on one
// root. The rule that makes it safe to clean while others work:
//
//   An entry of tmp/ is "claimed" while some open file description holds an
//   exclusive flock on it. Its creator claims it before anyone can see it
//   unclaimed, and the claim dies with the creator's process (also on SIGKILL).
//   Unclaimed entries are leftovers of dead processes and may be removed.
//
// "Before anyone can see it" needs one more lock: creators hold a shared flock
// on tmp/.lock from before creating an entry until it is claimed; the cleaner
// holds it exclusively while it scans. `.lock` itself is never removed.
//
// Thread-safe and process-safe; flocks are per open file description, so two
// TmpDir objects in one process also exclude each other correctly. Claim fds
// are O_CLOEXEC: processes we exec (RUN steps) never inherit a claim, though a
// plain fork() child shares its parent's claims until it exits.

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"

namespace content {

using base::Result;

// A claimed entry: closing `fd` releases the claim (the entry stays until
// someone removes it).
struct TmpEntry {
  std::string name;  // file name inside tmp/
  std::string path;  // full path
  base::UniqueFd fd;
};

class TmpDir {
 public:
  explicit TmpDir(std::string dir) : m_dir(std::move(dir)) {}

  // Creates the directory (and its lock file) if missing.
  Result<void> init() const;
  // A new claimed regular file named <prefix><random hex>, open for reading and writing.
  Result<TmpEntry> create_file(std::string_view prefix) const;
  // A new claimed directory named <prefix><random hex>.
  Result<TmpEntry> create_dir(std::string_view prefix) const;

  // Removes every unclaimed entry; returns the names removed, sorted.
  Result<std::vector<std::string>> clean() const;
  // The unclaimed entries, without removing them (for fsck), sorted.
  Result<std::vector<std::string>> unclaimed() const;
  // Whether `name` exists and is claimed by a live holder.
  Result<bool> is_claimed(const std::string& name) const;

  const std::string& dir() const { return m_dir; }

 private:
  Result<base::UniqueFd> lock_dir(bool exclusive) const;
  Result<std::vector<std::string>> scan(bool remove) const;

  std::string m_dir;
};

}  // namespace content
