#pragma once
// --chown values ("user", "user:group", "1000:1000") resolved to numeric ids
// the way BuildKit does: each part that parses as a decimal id (or is "root")
// is used as is, names are looked up in the DESTINATION filesystem's
// /etc/passwd and /etc/group (never the host's). A user without a group
// takes the user's primary group; a numeric user without a group takes the
// same number as group. "user:" (empty group) means group 0, as in BuildKit.
//
// Where BuildKit silently falls back to 0 for a name it cannot find, kiln
// fails with an error naming the user or group.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace solver_ops::file {

struct Owner {
  uint32_t uid = 0;
  uint32_t gid = 0;
  friend bool operator==(const Owner&, const Owner&) = default;
};

// Looks up the entry whose first field is `name` in passwd- or group-format
// text (name:x:id:...). Returns {id, primary gid (passwd) or 0 (group)}, or
// nothing when absent. Malformed lines are skipped, as libc does.
// Calls `fn` with the ':'-separated fields of every entry of passwd- or
// group-format text (comments and blank lines skipped, CR stripped) until it
// returns false.
void for_each_id_line(std::string_view text,
                      const std::function<bool(const std::vector<std::string_view>&)>& fn);

struct IdEntry {
  uint32_t id = 0;
  uint32_t gid = 0;
};
std::optional<IdEntry> find_id_entry(std::string_view text, std::string_view name, bool passwd);

// Reads /etc/passwd-sized text file `rel` (relative) inside the root; a
// missing file reads as empty, as BuildKit treats it like a file without the
// entry. Larger than 64 MiB is an error.
base::Result<std::string> read_file_in_root(int root_fd, const std::string& rel);

// Resolves `spec` against the filesystem rooted at `root_fd` (an open
// directory); files are opened inside that root.
base::Result<Owner> resolve_owner(int root_fd, const std::string& spec);

}  // namespace solver_ops::file
