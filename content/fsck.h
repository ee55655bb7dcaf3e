#pragma once
// fsck: checks that a store root is consistent, the property every write and
// every crash must preserve:
//   - every blob's content hashes to its name, and blobs/sha256 holds nothing else;
//   - every reference of an image or cache record names a blob that exists,
//     and every image's target is among its references;
//   - kiln.db passes SQLite's integrity and foreign-key checks;
//   - after opening (which removes the temporary files of dead processes)
//     tmp/ holds only entries claimed by live processes.
// Lease references are not required to exist: a running build protects a
// blob just before it publishes it. fsck changes nothing except what opening
// the stores does (tmp/ cleaning, WAL recovery, schema migration).

#include <cstdint>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace content {

struct FsckReport {
  int64_t blobs_checked = 0;
  int64_t references_checked = 0;
  std::vector<std::string> tmp_removed;   // left by dead processes, removed on open
  std::vector<std::string> problems;      // each names the blob, row or path
  bool ok() const { return problems.empty(); }
};

// An error means fsck could not run (e.g. the root is unreadable); findings
// are in the report.
base::Result<FsckReport> fsck(const std::string& root, const base::Clock& clock);

}  // namespace content
