// ContextHasher: walk, consult the stat cache, hash what it cannot vouch
// for, record what was hashed.

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <tbb/task_group.h>

#include "base/path.h"
#include "base/unique_fd.h"
#include "content/schema.h"
#include "content/sqlite.h"
#include "frontend/ignore/pattern_matcher.h"
#include "solver/ops/context/file_hasher.h"
#include "solver/ops/context/selection.h"
#include "solver/ops/context/stat_cache.h"
#include "solver/ops/context/walker.h"

namespace solver::ops::context {

struct ContextHasher::State {
  std::optional<content::sql::Db> db;  // empty: no stat cache
  base::SystemClock system_clock;
  const base::Clock* clock = nullptr;
  unsigned max_threads = 0;
  std::mutex db_mutex;     // the connection serves one statement at a time
  std::mutex stats_mutex;  // guards stats
  SelectStats stats;
};

ContextHasher::ContextHasher(std::unique_ptr<State> state) : m_state(std::move(state)) {}
ContextHasher::~ContextHasher() = default;
ContextHasher::ContextHasher(ContextHasher&&) noexcept = default;
ContextHasher& ContextHasher::operator=(ContextHasher&&) noexcept = default;

Result<ContextHasher> ContextHasher::open(const std::string& kiln_root, Options options) {
  // The stat cache only saves hashing: a power loss that undoes its latest
  // rows costs reading those files again, so commits need not wait for disk.
  content::sql::Db::Options db_options;
  db_options.durability = content::sql::Durability::on_request;
  TRY_ASSIGN(auto db, base::with_context(content::sql::Db::open(kiln_root + "/kiln.db", db_options),
                                         "opening the stat cache in " + kiln_root));
  TRY(base::with_context(content::migrate(db), "opening the stat cache in " + kiln_root));
  // The rows of a large context (a few MB) are read on every build: mapped,
  // they come straight from the page cache instead of being copied into
  // SQLite's own cache page by page. Best effort: without it reads still work.
  (void)db.exec("PRAGMA mmap_size=268435456");
  auto state = std::make_unique<State>();
  state->db = std::move(db);
  state->max_threads = options.max_threads;
  state->clock = options.clock != nullptr ? options.clock : &state->system_clock;
  return ContextHasher(std::move(state));
}

ContextHasher ContextHasher::without_cache(Options options) {
  auto state = std::make_unique<State>();
  state->max_threads = options.max_threads;
  state->clock = options.clock != nullptr ? options.clock : &state->system_clock;
  return ContextHasher(std::move(state));
}

SelectStats ContextHasher::last_stats() const {
  std::lock_guard lock(m_state->stats_mutex);
  return m_state->stats;
}

namespace {

Result<std::optional<frontend::ignore::PatternMatcher>> matcher_for(
    const std::vector<std::string>& patterns, const std::string& what) {
  if (patterns.empty()) return std::optional<frontend::ignore::PatternMatcher>();
  TRY_ASSIGN(auto matcher, base::with_context(frontend::ignore::PatternMatcher::create(patterns),
                                              "invalid " + what + " pattern"));
  return std::optional<frontend::ignore::PatternMatcher>(std::move(matcher));
}

using SteadyClock = std::chrono::steady_clock;

double ms_since(SteadyClock::time_point start) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
}

std::string host_key(const std::string& abs_dir, const std::string& rel) {
  return abs_dir == "/" ? "/" + rel : abs_dir + "/" + rel;
}

// The directory (relative to the context root, "" for the root) below which
// every source of `request` lies as written: the stat cache rows to load.
// Rows outside it (a source reached through a symlink) are only missed,
// which costs a hash, never a wrong digest.
std::string common_source_dir(const SelectRequest& request) {
  std::optional<std::vector<std::string>> common;
  for (const std::string& source : request.sources) {
    std::vector<std::string> parts;
    bool complete = true;  // no wildcard or ".." cut the path short
    for (std::string& part : base::split_path(source, base::DotElements::keep)) {
      if (part == "." || part.empty()) continue;
      if (part == ".." || (request.allow_wildcard && has_wildcard(part))) {
        complete = false;
        break;
      }
      parts.push_back(std::move(part));
    }
    // Unless written as a directory ("dir/"), the last component may be a
    // file: its parent bounds it.
    const bool as_dir = source.ends_with("/") || source.ends_with("/.");
    if (complete && !as_dir && !parts.empty()) parts.pop_back();
    if (!common) {
      common = std::move(parts);
      continue;
    }
    size_t n = 0;
    while (n < common->size() && n < parts.size() && (*common)[n] == parts[n]) ++n;
    common->resize(n);
  }
  std::string out;
  if (!common) return out;
  for (const std::string& part : *common) out += (out.empty() ? "" : "/") + part;
  return out;
}

}  // namespace

Result<Selection> ContextHasher::select(const std::string& context_dir,
                                        const SelectRequest& request) {
  // Several COPYs select at once: everything but the database connection
  // (db_mutex) and the published stats (stats_mutex) is local to this call.
  SelectStats stats;
  base::UniqueFd root(::open(context_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) {
    return base::make_error("cannot open build context \"" + context_dir +
                            "\": " + std::strerror(errno));
  }
  char real[PATH_MAX];
  if (realpath(context_dir.c_str(), real) == nullptr) {
    return base::make_error("cannot resolve build context \"" + context_dir +
                            "\": " + std::strerror(errno));
  }
  const std::string abs_dir = real;

  TRY_ASSIGN(auto ignore, matcher_for(request.ignore_patterns, ".dockerignore"));
  TRY_ASSIGN(auto exclude, matcher_for(request.exclude_patterns, "--exclude"));
  TRY_ASSIGN(auto include, matcher_for(request.include_patterns, "include"));
  WalkPatterns patterns{ignore ? &*ignore : nullptr, exclude ? &*exclude : nullptr,
                        include ? &*include : nullptr};

  // Taken before anything is read: a file changed after this moment has a
  // timestamp no older than it, which is what the racy check looks for.
  const int64_t recorded = m_state->clock->now_unix_nanos();

  // The stat cache's block for the sources' common directory loads while
  // the tree is walked: one waits on SQLite, the other on stat calls.
  const std::string prefix = common_source_dir(request);
  const std::string below = prefix.empty() ? abs_dir : host_key(abs_dir, prefix);
  // An entry's path relative to `below`, or nullopt outside it.
  auto below_path = [&prefix](std::string_view path) -> std::optional<std::string_view> {
    if (prefix.empty()) return path;
    if (path.size() <= prefix.size() || !path.starts_with(prefix) || path[prefix.size()] != '/') return std::nullopt;
    return path.substr(prefix.size() + 1);
  };
  StatCacheBlock cached;
  std::optional<std::string> load_warning;
  // Isolated: while waiting, this thread may run the loader but never
  // another step's task (which could want the db_mutex, or this stack).
  Result<WalkedRuns> walked_or = base::make_error("not walked");
  SteadyClock::time_point phase;
  tbb::this_task_arena::isolate([&] {
    // A task rather than a thread: most COPYs select a few files, and a new
    // thread per COPY cost more than their whole selection.
    tbb::task_group loader;
    if (m_state->db) {
      loader.run([this, &below, &cached, &load_warning, &stats] {
        const auto load_start = SteadyClock::now();
        std::lock_guard lock(m_state->db_mutex);
        auto loaded = StatCacheTable(*m_state->db).load(below);
        if (loaded.ok()) {
          cached = *std::move(loaded);
        } else {
          load_warning = "stat cache unreadable, hashing every file: " + loaded.error().message;
        }
        stats.load_ms = ms_since(load_start);
      });
    }
    phase = SteadyClock::now();
    walked_or = walk_selection(root.get(), request, patterns);
    stats.walk_ms = ms_since(phase);
    loader.wait();
  });
  if (load_warning) stats.warnings.push_back(*load_warning);
  TRY_ASSIGN(auto walked, std::move(walked_or));

  // Entries become selected entries, and files take their digests from the
  // stat cache, in parallel slices of whole runs: on a no-op build of a
  // large context this was most of what followed the walk.
  struct Slice {
    size_t first_run = 0;
    size_t end_run = 0;
    size_t first_entry = 0;  // index in selection.entries of the slice's first entry
    std::vector<HashJob> jobs;
    std::vector<size_t> job_entry;
    uint64_t files = 0;
    uint64_t reused = 0;
  };
  constexpr size_t k_slice_entries = 2048;
  std::vector<Slice> slices;
  size_t total = 0;
  for (size_t r = 0; r < walked.size(); ++r) {
    if (slices.empty() || total - slices.back().first_entry >= k_slice_entries) {
      slices.push_back(Slice{r, r, total, {}, {}, 0, 0});
    }
    slices.back().end_run = r + 1;
    total += walked[r].size();
  }
  Selection selection;
  selection.entries.resize(total);
  auto convert_slice = [&](size_t k) {
    Slice& out = slices[k];
    size_t cache_hint = 0;  // walked entries come in (nearly) the block's path order
    size_t i = out.first_entry;
    for (size_t r = out.first_run; r < out.end_run; ++r) {
      for (WalkedEntry& w : walked[r]) {
        SelectedEntry& e = selection.entries[i];
        e.path = std::move(w.path);
        e.type = w.type;
        e.mode = w.mode;
        e.size = w.size;
        e.link_target = std::move(w.link_target);
        if (e.type == base::FileType::regular) {
          ++out.files;
          std::optional<StatCacheRow> row;
          if (auto rel = below_path(e.path)) row = cached.find(*rel, cache_hint);
          if (row && is_trusted(*row, w.id)) {
            e.content = ContentDigest(row->sha256);
            ++out.reused;
          } else {
            out.jobs.push_back(HashJob{e.path, w.id});
            out.job_entry.push_back(i);
          }
        }
        ++i;
      }
    }
  };
  tbb::this_task_arena::isolate(
      [&] { tbb::parallel_for(size_t{0}, slices.size(), convert_slice); });
  std::vector<HashJob> jobs;
  std::vector<size_t> job_entry;
  for (Slice& slice : slices) {
    stats.files += slice.files;
    stats.files_reused += slice.reused;
    jobs.insert(jobs.end(), std::make_move_iterator(slice.jobs.begin()),
                std::make_move_iterator(slice.jobs.end()));
    job_entry.insert(job_entry.end(), slice.job_entry.begin(), slice.job_entry.end());
  }
  stats.entries = selection.entries.size();

  phase = SteadyClock::now();
  TRY_ASSIGN(auto outcomes, hash_files(root.get(), jobs, m_state->max_threads));
  std::vector<std::pair<std::string, StatCacheRow>> changed;
  for (size_t k = 0; k < outcomes.size(); ++k) {
    HashOutcome& out = outcomes[k];
    SelectedEntry& e = selection.entries[job_entry[k]];
    // The entry describes the bytes that were hashed, even if the file
    // changed since the walk.
    e.mode = out.id.mode & 07777;
    e.size = out.id.size;
    e.content = out.digest;
    ++stats.files_hashed;
    stats.bytes_hashed += out.bytes;
    auto rel = below_path(e.path);
    auto row = StatCacheRow::make(out.id, out.digest, recorded);
    if (out.stable && rel && row) changed.emplace_back(std::string(*rel), *row);
  }
  stats.hash_ms = ms_since(phase);
  phase = SteadyClock::now();
  if (m_state->db && !changed.empty()) {
    std::lock_guard lock(m_state->db_mutex);
    auto stored = StatCacheTable(*m_state->db).store(below, changed);
    if (stored.ok()) {
      stats.rows_written = changed.size();
    } else {
      stats.warnings.push_back("cannot update the stat cache: " + stored.error().message);
    }
  }

  stats.store_ms = ms_since(phase);

  selection.digest = selection_digest(selection.entries);
  {
    std::lock_guard lock(m_state->stats_mutex);
    m_state->stats = std::move(stats);
  }
  return selection;
}

}  // namespace solver::ops::context
