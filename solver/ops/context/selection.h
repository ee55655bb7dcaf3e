#pragma once
// Selecting and content-hashing the build-context files one COPY/ADD reads,
// for its cache key. The key covers exactly what the instruction copies, the
// way BuildKit's cache/contenthash does for a local source:
//
//  - each source (as written, relative to the context root; a Go
//    filepath.Match wildcard when allowed) selects the matched file, or the
//    matched directory and the whole tree below it;
//  - minus what the .dockerignore patterns exclude (relative to the context
//    root, '!' exceptions included: an excluded path is not in the context at
//    all, so a source that only names excluded files is "not found");
//  - minus what the COPY --exclude patterns exclude (relative to each matched
//    source, as in BuildKit; a source itself is never excluded), and when
//    include patterns are given (COPY --parents), what they do not match;
//  - a directory left out whose descendants are kept still appears, since
//    the copy recreates it.
//
// Each selected entry records its path, type, permission bits, size, content
// digest (regular files) and link target (symlinks). Not the owner: the
// context transfer of BuildKit resets uid/gid to 0 (client/solve.go,
// resetUIDAndGID), so they never reach the copy and must not split the cache.
// Not the mtime, the host path, or any file outside the selection.
// Symlinks inside a selected tree are recorded as links and never followed;
// with follow_symlinks a source that is itself a link is resolved inside the
// context root, as the copy does.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "base/clock.h"
#include "base/digest.h"
#include "base/fs.h"
#include "base/result.h"

namespace solver::ops::context {

using base::Result;

// The schema strings of a Selection digest; bump on any change to what the
// digest covers. The digest covers the entry count and the digests of the
// entries in consecutive blocks of k_selection_block (the last one shorter),
// each over its entry count and its entries' fields.
inline constexpr std::string_view k_selection_schema = "kiln.context-selection.v2";
inline constexpr std::string_view k_selection_block_schema = "kiln.context-selection-block.v2";
inline constexpr size_t k_selection_block = 1024;

// A regular file's content digest as the 32 raw bytes of its SHA-256: a
// large selection holds tens of thousands of them, and a base::Digest costs
// a heap-allocated hex string each. Empty for entries that are not regular
// files.
class ContentDigest {
 public:
  ContentDigest() = default;
  explicit ContentDigest(const base::Sha256Bytes& raw) : m_raw(raw), m_present(true) {}
  // Any digest but a sha256 (which kiln never makes for a file) is empty.
  ContentDigest(const base::Digest& digest);  // NOLINT(google-explicit-constructor)

  bool empty() const { return !m_present; }
  const base::Sha256Bytes& bytes() const { return m_raw; }
  base::Digest digest() const;  // an empty base::Digest when empty

  friend bool operator==(const ContentDigest&, const ContentDigest&) = default;
  friend bool operator==(const ContentDigest& a, const base::Digest& b) { return a == ContentDigest(b); }

 private:
  base::Sha256Bytes m_raw{};
  bool m_present = false;
};

struct SelectedEntry {
  // Relative to the context root, '/'-separated, "." for the root itself.
  // Entries are sorted depth-first by name: a directory's entries come right
  // after it ("a", "a/x", "a.b").
  std::string path;
  base::FileType type = base::FileType::regular;
  uint32_t mode = 0;  // permission bits (07777); 0777 for symlinks
  uint64_t size = 0;  // regular files and symlinks (target length); 0 otherwise
  std::string link_target;  // symlinks only
  ContentDigest content;    // regular files only: SHA-256 of the bytes

  friend bool operator==(const SelectedEntry&, const SelectedEntry&) = default;
};

struct Selection {
  base::Digest digest;  // over the entries, starting with k_selection_schema
  std::vector<SelectedEntry> entries;

  friend bool operator==(const Selection&, const Selection&) = default;
};

struct SelectRequest {
  std::vector<std::string> sources;          // COPY sources as written
  std::vector<std::string> ignore_patterns;  // cleaned .dockerignore patterns
  std::vector<std::string> exclude_patterns;  // COPY --exclude
  // COPY --parents: only entries (or entries below directories) matching
  // one of these, relative to each source, are selected; directories
  // leading to them are kept. Empty: everything.
  std::vector<std::string> include_patterns;
  // Paths (relative to the context root) that must exist, as for COPY
  // --parents without wildcards; a missing one is an error naming it.
  std::vector<std::string> required_paths;
  bool allow_wildcard = true;
  // A wildcard matching nothing selects nothing (the Dockerfile frontend
  // sets AllowEmptyWildcard); when false it is an error.
  bool allow_empty_wildcard = true;
  // Whether a source that is a symlink is replaced by what it points to
  // (the Dockerfile COPY sets FollowSymlinks). Links below a source are
  // never followed.
  bool follow_symlinks = false;
};

// The digest of `entries` (which must be in Selection order).
base::Digest selection_digest(const std::vector<SelectedEntry>& entries);

// Depth-first path order: compares component by component.
bool path_less(std::string_view a, std::string_view b);

// Human lines describing how `after` differs from `before`, in path order:
// "src/main.c: content changed", "src/new.c: added", "old.txt: removed",
// "run.sh: mode changed 0644 -> 0755", "link: target changed a -> b",
// "x: type changed file -> directory". Several changes of one entry share a
// line. At most `limit` lines, then "... and N more".
std::vector<std::string> explain_selection_change(const Selection& before,
                                                  const Selection& after, size_t limit = 20);

// The regular files whose content, size and mode are the same in `before`
// and `now` (both in Selection order), by path.
std::unordered_set<std::string> unchanged_files(const Selection& before, const Selection& now);

// A compact binary form, to keep with a cache record. Grammar (version 2,
// whose digest is the v2 schema's; version 1 records are refused):
//   "KSEL" u8(2) digest[32] varint(count) entry*
//   entry = varint(shared path prefix with the previous entry) varint(len) suffix
//           u8(type) varint(mode) varint(size) [digest[32] if regular]
//           [varint(len) target if symlink]
// parse_selection checks the structure, the order and the digest.
std::string serialize_selection(const Selection& selection);
Result<Selection> parse_selection(std::string_view bytes);

// Counters of the last select(), for the benchmark and tests.
struct SelectStats {
  uint64_t entries = 0;
  uint64_t files = 0;
  uint64_t files_hashed = 0;   // read and hashed
  uint64_t files_reused = 0;   // digest taken from the stat cache
  uint64_t bytes_hashed = 0;
  uint64_t rows_written = 0;  // stat cache rows inserted or replaced
  // Wall time of each phase, in milliseconds.
  double walk_ms = 0;
  double load_ms = 0;
  double hash_ms = 0;
  double store_ms = 0;
  // Stat cache problems that were worked around by hashing (for the log).
  std::vector<std::string> warnings;
};

// Selects and hashes context files, remembering file digests across builds
// in the `stat_cache` table of <kiln_root>/kiln.db (one block per directory
// selected below; see stat_cache.h for when an entry is trusted). Owns one
// database connection, used by one select() at a time; selects run concurrently
// otherwise (walks and hashing in parallel), so one per process serves every
// step (concurrent processes share the table safely). A failing stat cache read or
// write is never fatal and never changes a digest: the files are hashed.
class ContextHasher {
 public:
  struct Options {
    const base::Clock* clock = nullptr;  // stamps `recorded`; default: system clock
    unsigned max_threads = 0;            // hashing threads; 0 = one per core
  };
  static Result<ContextHasher> open(const std::string& kiln_root, Options options);
  static Result<ContextHasher> open(const std::string& kiln_root) {
    return open(kiln_root, Options{});
  }
  // Hashes every selected file every time; for when kiln.db cannot be
  // opened, and for one-off uses.
  static ContextHasher without_cache(Options options);
  ~ContextHasher();
  ContextHasher(ContextHasher&&) noexcept;
  ContextHasher& operator=(ContextHasher&&) noexcept;

  // `context_dir` must be a directory; errors name the source or the path.
  Result<Selection> select(const std::string& context_dir, const SelectRequest& request);

  // The stats of the select() that finished last.
  SelectStats last_stats() const;

 private:
  struct State;
  explicit ContextHasher(std::unique_ptr<State> state);
  std::unique_ptr<State> m_state;
};

}  // namespace solver::ops::context
