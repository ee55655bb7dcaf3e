#include "solver/ops/gc/check.h"

#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <filesystem>
#include <map>
#include <set>

#include "content/file_ops.h"
#include "content/sqlite.h"
#include "snapshotter/records.h"
#include "solver/core/cache_index.h"
#include "solver/ops/gc/cache_mounts.h"

namespace solver::ops::gc {

namespace {

namespace fs = std::filesystem;

struct Row {
  std::string id, parent;
  bool active = false;
  int64_t pid = 0;
};

bool process_alive(int64_t pid) {
  if (pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

bool is_dir(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

base::Result<std::vector<Row>> load_rows(content::sql::Db& db) {
  TRY_ASSIGN(auto q, db.prepare("SELECT id, COALESCE(parent, ''), kind, pid FROM snapshots ORDER BY id"));
  std::vector<Row> rows;
  for (;;) {
    TRY_ASSIGN(bool row, q.step());
    if (!row) break;
    rows.push_back(Row{q.text(0), q.text(1), q.text(2) == "active", q.integer(3)});
  }
  return rows;
}

// Removes snapshot `id`, its descendants and the cache records naming any of
// them (records first, so none ever names a removed snapshot).
base::Result<void> remove_subtree(const std::string& root, const std::string& id,
                                  const std::vector<Row>& rows,
                                  const std::map<std::string, std::vector<std::string>>& records_of,
                                  content::MetadataStore& metadata,
                                  snapshotter::SnapshotRecords& records,
                                  std::vector<std::string>& repairs) {
  std::vector<std::string> order{id};  // parents before children
  for (size_t i = 0; i < order.size(); ++i)
    for (const Row& r : rows)
      if (r.parent == order[i]) order.push_back(r.id);
  for (const std::string& s : order)
    if (auto it = records_of.find(s); it != records_of.end())
      for (const std::string& key : it->second) {
        TRY_ASSIGN(bool removed, metadata.remove_cache_record(key));
        if (removed) repairs.push_back("removed cache record " + key);
      }
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    TRY(records.remove(*it));
    TRY(content::remove_tree(root + "/snapshots/" + *it));
    repairs.push_back("removed snapshot " + *it);
  }
  return {};
}

}  // namespace

base::Result<std::vector<std::string>> remove_corrupt_blobs(content::MetadataStore& metadata,
                                                            const content::ContentStore& blobs) {
  TRY_ASSIGN(auto refs, metadata.blob_refs());
  std::set<std::string> image_blobs;
  for (const content::BlobRef& ref : refs)
    if (ref.kind == content::RefOwner::image) image_blobs.insert(ref.digest);
  std::vector<base::Digest> corrupt;
  TRY(blobs.walk([&](const content::BlobInfo& blob) -> base::Result<void> {
    if (image_blobs.contains(blob.digest.str())) return {};
    auto reader = blobs.open_reader(blob.digest);
    bool bad = !reader.ok();
    char buf[65536];
    while (!bad) {
      auto n = reader->read(buf, sizeof buf);
      if (!n.ok()) bad = true;
      else if (*n == 0) break;
    }
    if (bad) corrupt.push_back(blob.digest);
    return {};
  }));
  std::vector<std::string> repairs;
  for (const base::Digest& d : corrupt) {
    TRY(blobs.remove(d));
    repairs.push_back("removed corrupt blob " + d.str());
  }
  return repairs;
}

base::Result<CheckReport> check_build_cache(const std::string& root, content::MetadataStore& metadata,
                                            const content::ContentStore& blobs,
                                            const base::Clock& clock, const CheckOptions& options) {
  CheckReport report;
  TRY_ASSIGN(auto db, content::sql::Db::open(root + "/kiln.db"));
  TRY_ASSIGN(auto records, snapshotter::SnapshotRecords::open(root, clock));
  TRY_ASSIGN(std::vector<Row> rows, load_rows(db));
  std::map<std::string, const Row*> by_id;
  for (const Row& r : rows) by_id[r.id] = &r;

  // Cache records and the snapshots they name.
  std::map<std::string, std::vector<std::string>> records_of;  // snapshot → keys
  std::vector<std::string> bad_records;
  {
    TRY_ASSIGN(auto q, db.prepare("SELECT key, value FROM cache_records ORDER BY key"));
    for (;;) {
      TRY_ASSIGN(bool row, q.step());
      if (!row) break;
      ++report.records_checked;
      std::string key = q.text(0);
      auto parsed = solver::parse_result(q.text(1));
      if (!parsed.ok() || parsed->snapshot.empty()) continue;  // unreadable values are misses
      records_of[parsed->snapshot].push_back(key);
      auto it = by_id.find(parsed->snapshot);
      if (it == by_id.end()) {
        report.problems.push_back("cache record " + key + " names missing snapshot " + parsed->snapshot);
        bad_records.push_back(key);
      } else if (it->second->active) {
        report.problems.push_back("cache record " + key + " names active snapshot " + parsed->snapshot);
        bad_records.push_back(key);
      }
    }
  }

  // Rows against directories.
  std::vector<std::string> broken, abandoned;
  for (const Row& r : rows) {
    ++report.snapshots_checked;
    if (r.active) {
      if (!process_alive(r.pid)) {
        report.problems.push_back("active snapshot " + r.id + " belongs to dead process " +
                                  std::to_string(r.pid));
        abandoned.push_back(r.id);
      }
      continue;
    }
    if (!is_dir(root + "/snapshots/" + r.id + "/fs")) {
      report.problems.push_back("committed snapshot " + r.id + " has no directory snapshots/" + r.id + "/fs");
      broken.push_back(r.id);
    }
  }
  std::vector<std::string> orphans;
  std::error_code ec;
  for (fs::directory_iterator it(root + "/snapshots", ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (!by_id.contains(name)) {
      report.problems.push_back("snapshots/" + name + " has no snapshot row");
      orphans.push_back(name);
    }
  }

  // Layer records against blobs.
  std::vector<std::pair<std::string, std::string>> bad_layers;
  {
    TRY_ASSIGN(auto q, db.prepare("SELECT snapshot, digest FROM layer_records ORDER BY snapshot, digest"));
    for (;;) {
      TRY_ASSIGN(bool row, q.step());
      if (!row) break;
      std::string snapshot = q.text(0), digest = q.text(1);
      auto parsed = base::Digest::parse(digest);
      bool present = false;
      if (parsed.ok()) {
        auto exists = blobs.exists(*parsed);
        present = exists.ok() && *exists;
      }
      if (!present) {
        report.problems.push_back("layer record of snapshot " + snapshot + " names missing blob " + digest);
        bad_layers.emplace_back(snapshot, digest);
      }
    }
  }

  // Cache mounts stand apart from the rest, and repair themselves.
  TRY_ASSIGN(CacheMountCheck mounts, check_cache_mounts(root, options.repair));
  report.cache_mounts_checked = mounts.checked;
  report.problems.insert(report.problems.end(), mounts.problems.begin(), mounts.problems.end());
  report.repairs.insert(report.repairs.end(), mounts.repairs.begin(), mounts.repairs.end());
  if (!options.repair) return report;

  for (const std::string& key : bad_records) {
    TRY(metadata.remove_cache_record(key));
    report.repairs.push_back("removed cache record " + key);
  }
  // Cache records whose own blobs are gone (content::fsck reports them).
  TRY_ASSIGN(auto refs, metadata.blob_refs());
  std::set<std::string> missing_owners;
  for (const content::BlobRef& ref : refs) {
    if (ref.kind != content::RefOwner::cache) continue;
    auto digest = base::Digest::parse(ref.digest);
    if (!digest.ok()) {
      missing_owners.insert(ref.owner);
      continue;
    }
    auto exists = blobs.exists(*digest);
    if (exists.ok() && !*exists) missing_owners.insert(ref.owner);
  }
  for (const std::string& key : missing_owners) {
    TRY_ASSIGN(bool removed, metadata.remove_cache_record(key));
    if (removed) report.repairs.push_back("removed cache record " + key);
  }
  for (const auto& [snapshot, digest] : bad_layers) {
    TRY(db.run("DELETE FROM layer_records WHERE snapshot = ?1 AND digest = ?2", snapshot, digest));
    report.repairs.push_back("forgot layer record of snapshot " + snapshot + " (blob " + digest + ")");
  }
  for (const std::string& id : abandoned) {
    TRY_ASSIGN(bool removed, records->remove_abandoned(id, by_id.at(id)->pid));
    if (!removed) continue;  // it has children: those are abandoned too and go first next run
    TRY(content::remove_tree(root + "/snapshots/" + id));
    report.repairs.push_back("removed abandoned snapshot " + id);
  }
  for (const std::string& name : orphans) {
    TRY(content::remove_tree(root + "/snapshots/" + name));
    report.repairs.push_back("removed snapshots/" + name);
  }
  for (const std::string& id : broken) {
    TRY_ASSIGN(auto row, records->get(id));
    if (!row) continue;  // went with the subtree of a broken ancestor
    TRY(remove_subtree(root, id, rows, records_of, metadata, *records, report.repairs));
  }
  return report;
}

}  // namespace solver::ops::gc
