// Storage housekeeping in docker's shape: `kiln prune` (docker builder
// prune), `kiln du` (docker system df / buildctl du) and `kiln fsck`. The
// decisions live in solver/ops/gc; this file opens the root, takes the store
// lock and prints.
#include <unistd.h>

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <vector>

#include "base/utf8.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/store.h"
#include "content/fsck.h"
#include "snapshotter/open.h"
#include "solver/ops/gc/cache_mounts.h"
#include "solver/ops/gc/check.h"
#include "solver/ops/gc/collect.h"
#include "solver/ops/gc/lock.h"
#include "solver/ops/gc/plan.h"
#include "solver/ops/gc/state.h"
#include "solver/ops/gc/units.h"

namespace cli {

namespace {

namespace gc = solver::ops::gc;

int report(const base::Error& e, int code) {
  std::cerr << "error: " << e.render() << "\n";
  return code;
}

// A root opened for housekeeping: the stores, one snapshotter per backend
// that owns rows (each runs the usual cleanup of dead processes' leftovers),
// and, for commands that change or check the store, the exclusive lock.
struct Housekeeping {
  std::unique_ptr<Store> store;
  std::map<std::string, std::unique_ptr<snapshotter::Snapshotter>> snapshotters;
  std::optional<gc::StoreLock> lock;

  gc::CollectServices services() {
    gc::CollectServices s{store->root, *store->metadata, *store->blobs, {}};
    for (auto& [name, snaps] : snapshotters) s.snapshotters[name] = snaps.get();
    return s;
  }
  gc::LoadOptions load_options() const {
    gc::LoadOptions options;
    for (const auto& [name, snaps] : snapshotters) options.backends.insert(name);
    return options;
  }
};

base::Result<Housekeeping> open_housekeeping(const std::string& root, bool exclusive) {
  Housekeeping h;
  StoreOptions options;
  options.root = root;
  TRY_ASSIGN(h.store, open_store(options));
  if (exclusive) {
    TRY_ASSIGN(auto lock, gc::StoreLock::acquire(h.store->root, gc::StoreLock::Mode::exclusive,
                                                 gc::StoreLock::Wait::no));
    if (!lock.held()) {
      std::cerr << "waiting for the builds running on " << h.store->root << " to finish\n";
      TRY_ASSIGN(lock, gc::StoreLock::acquire(h.store->root, gc::StoreLock::Mode::exclusive,
                                              gc::StoreLock::Wait::yes));
    }
    h.lock.emplace(std::move(lock));
  }
  TRY_ASSIGN(auto backends, gc::snapshot_backends(h.store->root));
  for (const std::string& backend : backends) {
    auto opened = snapshotter::open_snapshotter(h.store->root, backend, h.store->clock);
    if (!opened.ok()) {
      // Its snapshots stay untouched (plan.h: foreign); say why.
      std::cerr << "warning: cannot open the " << backend << " snapshots of " << h.store->root
                << ": " << opened.error().message << "; leaving them alone\n";
      continue;
    }
    TRY((*opened)->cleanup_abandoned());
    h.snapshotters[backend] = std::move(*opened);
  }
  return h;
}

std::string ago(int64_t then_ns, int64_t now_ns) {
  if (then_ns <= 0) return "never";
  int64_t s = (now_ns - then_ns) / 1'000'000'000;
  if (s < 60) return std::to_string(std::max<int64_t>(s, 1)) + " seconds ago";
  if (s < 3600) return std::to_string(s / 60) + " minutes ago";
  if (s < 86400) return std::to_string(s / 3600) + " hours ago";
  return std::to_string(s / 86400) + " days ago";
}

// "sha256:0123…" → "0123456789ab"; layer-chain keys keep a readable prefix.
std::string short_key(const std::string& key) {
  std::string k = key;
  std::string prefix;
  if (k.starts_with(gc::k_layer_chain_prefix)) {
    k = k.substr(std::string_view(gc::k_layer_chain_prefix).size());
    prefix = "layer:";
  }
  if (k.starts_with("sha256:")) k = k.substr(7);
  return prefix + k.substr(0, 12);
}

std::string plural(size_t n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

// A cache mount's id as the Dockerfile wrote it; quoted when it holds
// characters a terminal would act on; "-" and the directory when its id file
// is missing.
std::string show_id(const std::string& id, const std::string& dir) {
  if (id.empty()) return "- (" + dir.substr(0, 12) + ")";
  for (char c : id)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return base::go_quote(id);
  return id;
}

// One line per cache id: its instances summed, last used = the newest.
struct CacheMountSummary {
  std::string dir, id;
  size_t instances = 0;
  int64_t size = 0, last_used = 0;
};
std::vector<CacheMountSummary> summarize(const std::vector<gc::CacheMountEntry>& mounts) {
  std::vector<CacheMountSummary> out;
  for (const gc::CacheMountEntry& m : mounts) {  // sorted by dir
    if (out.empty() || out.back().dir != m.dir) out.push_back({m.dir, m.id, 0, 0, 0});
    ++out.back().instances;
    out.back().size += m.size;
    out.back().last_used = std::max(out.back().last_used, m.last_used);
  }
  return out;
}

bool confirm(const std::string& warning) {
  std::cerr << warning << "\nAre you sure you want to continue? [y/N] " << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return answer == "y" || answer == "Y" || answer == "yes";
}

struct PruneArgs {
  bool all = false;
  bool force = false;
  std::string keep_storage;
};

int prune(const std::string& root, const PruneArgs& args) {
  gc::PruneOptions options;
  options.all = args.all;
  if (!args.keep_storage.empty()) {
    auto cap = gc::parse_size(args.keep_storage);
    if (!cap.ok()) return report(base::with_context(cap, "--keep-storage").error(), k_exit_usage);
    options.keep_storage = *cap;
  }
  if (!args.force && !confirm(args.all ? "WARNING! This will remove all build cache and images without a name."
                                       : "WARNING! This will remove images without a name and all build cache "
                                         "except the unpacked layers of local images.")) {
    return k_exit_ok;
  }
  auto h = open_housekeeping(root, true);
  if (!h.ok()) return report(h.error(), k_exit_internal);
  auto stale = h->store->metadata->remove_stale_leases(h->store->blobs->tmp());
  if (!stale.ok()) return report(stale.error(), k_exit_internal);
  // Images without a name (<none>) go too, as with docker system prune:
  // nothing else would ever free them. A --keep-storage trim only trims
  // the cache, as docker builder prune --keep-storage does.
  auto images = h->store->metadata->list_images();
  if (!images.ok()) return report(images.error(), k_exit_internal);
  std::vector<std::string> unnamed;
  for (const content::ImageRecord& r : *images)
    if (is_dangling_name(r.name) && args.keep_storage.empty()) unnamed.push_back(r.name);
  if (!unnamed.empty()) {
    std::cout << "Deleted Images:\n";
    for (const std::string& name : unnamed) {
      auto removed = h->store->metadata->remove_image(name);
      if (!removed.ok()) return report(removed.error(), k_exit_internal);
      std::cout << "deleted: " << name << "\n";
    }
    std::cout << "\n";
  }
  gc::LoadOptions load = h->load_options();
  load.probe_cache_mounts = true;  // safe: we hold the store lock exclusively
  auto state = gc::load_state(h->store->root, *h->store->metadata, *h->store->blobs, load);
  if (!state.ok()) return report(state.error(), k_exit_internal);
  gc::GcPlan plan = gc::plan_prune(*state, options);
  auto done = gc::carry_out(plan, *state, h->services());
  if (!done.ok()) return report(done.error(), k_exit_internal);
  for (const std::string& w : done->warnings) std::cerr << "warning: " << w << "\n";
  std::set<std::string> in_use;
  for (const gc::CacheMountEntry& m : state->cache_mounts)
    if (m.in_use) in_use.insert(m.dir);
  for (const gc::CacheMountEntry& m : done->cache_mounts_in_use) in_use.insert(m.dir);
  for (const std::string& dir : in_use)
    for (const gc::CacheMountEntry& m : state->cache_mounts)
      if (m.dir == dir) {
        std::cerr << "kept cache mount " << show_id(m.id, m.dir) << ": a running step uses it\n";
        break;
      }
  if (!done->snapshots.empty() || !done->cache_mounts.empty()) {
    std::cout << "Deleted build cache objects:\n";
    for (const std::string& id : done->snapshots) std::cout << id << "\n";
    for (const gc::CacheMountEntry& m : done->cache_mounts) std::cout << m.short_name() << "\n";
    std::cout << "\n";
  }
  std::cout << "Total reclaimed space: " << gc::human_size(done->reclaimed) << "\n";
  return k_exit_ok;
}

int disk_usage(const std::string& root, bool verbose) {
  auto h = open_housekeeping(root, false);
  if (!h.ok()) return report(h.error(), k_exit_internal);
  auto state = gc::load_state(h->store->root, *h->store->metadata, *h->store->blobs, h->load_options());
  if (!state.ok()) return report(state.error(), k_exit_internal);
  auto images = h->store->metadata->list_images();
  if (!images.ok()) return report(images.error(), k_exit_internal);
  gc::PruneOptions all;
  all.all = true;
  gc::GcPlan plan = gc::plan_prune(*state, all);
  std::set<std::string> freed_snapshots(plan.snapshots.begin(), plan.snapshots.end());
  std::set<std::string> freed_blobs(plan.blobs.begin(), plan.blobs.end());

  int64_t image_bytes = 0, blob_bytes = 0, blob_freed = 0, cache_blob_bytes = 0;
  for (const gc::BlobEntry& b : state->blobs) {
    blob_bytes += b.size;
    if (state->image_blobs.contains(b.digest)) image_bytes += b.size;
    else cache_blob_bytes += b.size;
    if (freed_blobs.contains(b.digest)) blob_freed += b.size;
  }
  int64_t snap_bytes = 0, snap_freed = 0, active = 0;
  for (const gc::SnapshotEntry& s : state->snapshots) {
    snap_bytes += s.size;
    if (freed_snapshots.contains(s.id)) snap_freed += s.size;
    if (s.active) ++active;
  }
  int64_t mount_bytes = 0;
  for (const gc::CacheMountEntry& m : state->cache_mounts) mount_bytes += m.size;
  std::vector<CacheMountSummary> mounts = summarize(state->cache_mounts);
  auto row = [](const std::string& type, const std::string& total, int64_t size, int64_t reclaimable) {
    std::cout << std::left << std::setw(14) << type << std::setw(12) << total << std::setw(12)
              << gc::human_size(size) << gc::human_size(reclaimable) << "\n";
  };
  std::cout << std::left << std::setw(14) << "TYPE" << std::setw(12) << "TOTAL" << std::setw(12)
            << "SIZE" << "RECLAIMABLE\n";
  row("Images", std::to_string(images->size()), image_bytes, 0);
  row("Build Cache", std::to_string(state->records.size()), snap_bytes + cache_blob_bytes,
      plan.reclaimed - plan.cache_mounts_reclaimed);
  row("Snapshots", std::to_string(state->snapshots.size()) + (active ? " (" + std::to_string(active) + " active)" : ""),
      snap_bytes, snap_freed);
  row("Blobs", std::to_string(state->blobs.size()), blob_bytes, blob_freed);
  // Without the store lock nobody's locks are probed: a prune waits for the
  // running builds, and then their cache mounts are free.
  row("Cache Mounts", std::to_string(mounts.size()), mount_bytes, plan.cache_mounts_reclaimed);
  int64_t now = h->store->clock.now_unix_nanos();
  if (!mounts.empty()) {
    std::cout << "\n" << std::left << std::setw(16) << "CACHE MOUNT" << std::setw(12) << "SIZE"
              << std::setw(18) << "LAST USED" << (verbose ? "INSTANCES  " : "") << "ID\n";
    for (const CacheMountSummary& m : mounts) {
      std::cout << std::setw(16) << m.dir.substr(0, 12) << std::setw(12) << gc::human_size(m.size)
                << std::setw(18) << ago(m.last_used, now);
      if (verbose) std::cout << std::setw(11) << m.instances;
      std::cout << show_id(m.id, m.dir) << "\n";
    }
    std::cout << std::setw(16) << "Total" << gc::human_size(mount_bytes) << "\n";
  }
  std::cout << "\nTotal: " << gc::human_size(snap_bytes + blob_bytes + mount_bytes)
            << ", reclaimable with kiln prune -a: " << gc::human_size(plan.reclaimed) << "\n";
  if (!verbose) return k_exit_ok;

  std::map<std::string, const gc::SnapshotEntry*> by_id;
  for (const gc::SnapshotEntry& s : state->snapshots) by_id[s.id] = &s;
  std::cout << "\n" << std::left << std::setw(22) << "CACHE RECORD" << std::setw(14) << "SNAPSHOT"
            << std::setw(12) << "SIZE" << std::setw(18) << "LAST USED" << "KIND\n";
  for (const gc::CacheEntry& r : state->records) {
    auto it = by_id.find(r.snapshot);
    int64_t size = it == by_id.end() ? 0 : it->second->size;
    std::string kind = r.key.starts_with(gc::k_layer_chain_prefix)
                           ? (r.image_layer ? "image layer" : "layer of removed image")
                           : "build step";
    std::cout << std::setw(22) << short_key(r.key) << std::setw(14)
              << (r.snapshot.empty() ? "-" : r.snapshot) << std::setw(12) << gc::human_size(size)
              << std::setw(18) << ago(r.last_used, now) << kind << "\n";
  }
  std::cout << "\n" << std::setw(14) << "SNAPSHOT" << std::setw(14) << "PARENT" << std::setw(11)
            << "KIND" << std::setw(12) << "SIZE" << std::setw(18) << "LAST USED" << "BACKEND\n";
  for (const gc::SnapshotEntry& s : state->snapshots)
    std::cout << std::setw(14) << s.id << std::setw(14) << (s.parent.empty() ? "-" : s.parent)
              << std::setw(11) << (s.active ? "active" : "committed") << std::setw(12)
              << gc::human_size(s.size) << std::setw(18) << ago(s.last_used, now) << s.backend << "\n";
  return k_exit_ok;
}

struct FsckFindings {
  std::vector<std::string> problems;
  int64_t blobs = 0, references = 0, snapshots = 0, records = 0, cache_mounts = 0;
};

base::Result<FsckFindings> run_checks(Housekeeping& h, bool repair, std::vector<std::string>& repairs) {
  FsckFindings f;
  TRY_ASSIGN(content::FsckReport content, content::fsck(h.store->root, h.store->clock));
  f.problems = content.problems;
  f.blobs = content.blobs_checked;
  f.references = content.references_checked;
  TRY_ASSIGN(gc::CheckReport cache, gc::check_build_cache(h.store->root, *h.store->metadata, *h.store->blobs,
                                                          h.store->clock, gc::CheckOptions{repair}));
  f.problems.insert(f.problems.end(), cache.problems.begin(), cache.problems.end());
  repairs.insert(repairs.end(), cache.repairs.begin(), cache.repairs.end());
  f.snapshots = cache.snapshots_checked;
  f.records = cache.records_checked;
  f.cache_mounts = cache.cache_mounts_checked;
  return f;
}

int fsck(const std::string& root, bool repair) {
  auto h = open_housekeeping(root, true);
  if (!h.ok()) return report(h.error(), k_exit_internal);
  std::vector<std::string> repairs;
  if (repair) {
    auto removed = gc::remove_corrupt_blobs(*h->store->metadata, *h->store->blobs);
    if (!removed.ok()) return report(removed.error(), k_exit_internal);
    repairs = *removed;
    auto strays = h->store->blobs->remove_stray_entries();
    if (!strays.ok()) return report(strays.error(), k_exit_internal);
    for (const std::string& name : *strays) repairs.push_back("removed unexpected entry blobs/sha256/" + name);
  }
  auto found = run_checks(*h, repair, repairs);
  if (!found.ok()) return report(found.error(), k_exit_internal);
  for (const std::string& p : found->problems) std::cout << "problem: " << p << "\n";
  if (!repair || repairs.empty()) {
    std::cout << "checked " << found->blobs << " blobs, " << found->references << " references, "
              << found->snapshots << " snapshots, " << found->records << " cache records, "
              << found->cache_mounts << " cache mounts: "
              << (found->problems.empty() ? std::string("no problems") : plural(found->problems.size(), "problem"))
              << "\n";
    return found->problems.empty() ? k_exit_ok : k_exit_build_failed;
  }
  for (const std::string& r : repairs) std::cout << "repaired: " << r << "\n";
  std::vector<std::string> none;
  auto after = run_checks(*h, false, none);
  if (!after.ok()) return report(after.error(), k_exit_internal);
  for (const std::string& p : after->problems) std::cout << "remaining problem: " << p << "\n";
  std::cout << "made " << plural(repairs.size(), "repair") << "; "
            << (after->problems.empty() ? "no problems remain"
                                        : plural(after->problems.size(), "problem") +
                                              " remain (image data is never removed: rmi the "
                                              "image and load or build it again)")
            << "\n";
  return after->problems.empty() ? k_exit_ok : k_exit_build_failed;
}

}  // namespace

void register_storage_commands(CLI::App& app, CommandContext& ctx) {
  auto root = std::make_shared<std::string>();
  auto add_root = [root](CLI::App* cmd) {
    add_root_option(cmd, *root);
  };

  auto prune_args = std::make_shared<PruneArgs>();
  CLI::App* prune_cmd = app.add_subcommand("prune", "Remove build cache, RUN cache mounts and images without a name");
  prune_cmd->add_flag("-a,--all", prune_args->all,
                      "Also remove the unpacked layers of local images (all build cache)");
  prune_cmd->add_option("--keep-storage", prune_args->keep_storage,
                        "Amount of disk space to keep for cache, least recently used goes first "
                        "(e.g. 10GB, 500MB)");
  prune_cmd->add_flag("-f,--force", prune_args->force, "Do not prompt for confirmation");
  add_root(prune_cmd);
  prune_cmd->callback([root, prune_args, &ctx] { ctx.exit_code = prune(*root, *prune_args); });

  auto verbose = std::make_shared<bool>(false);
  CLI::App* du = app.add_subcommand("du", "Show disk usage of images, build cache, snapshots, blobs "
                                          "and cache mounts");
  du->add_flag("-v,--verbose", *verbose,
               "Show every cache record and snapshot, and each cache mount's instances");
  add_root(du);
  du->callback([root, verbose, &ctx] { ctx.exit_code = disk_usage(*root, *verbose); });

  auto repair = std::make_shared<bool>(false);
  CLI::App* fsck_cmd = app.add_subcommand("fsck", "Check the consistency of the store");
  fsck_cmd->add_flag("--repair", *repair,
                     "Remove broken build cache (never image data) and check again");
  add_root(fsck_cmd);
  fsck_cmd->callback([root, repair, &ctx] { ctx.exit_code = fsck(*root, *repair); });
}

}  // namespace cli
