// Several real processes (fork) working on one root at once: writing the same
// and different blobs, tagging contended and private names, reading each
// other's images, cleaning tmp/ and collecting garbage. Afterwards every process must have
// succeeded and the store must pass fsck.
//
// The parent holds no SQLite connection while forking: connections must not
// cross fork().

#include <gtest/gtest.h>

#include <cstdio>

#include "content/fsck.h"
#include "content/gc.h"
#include "content/image_store.h"
#include "content/test_support.h"

namespace content {
namespace {

using testing::TempDir;

constexpr int k_processes = 4;
constexpr int k_rounds = 25;

std::string layer_bytes(const std::string& seed) {
  std::string out;
  while (out.size() < 20000) out += seed + std::to_string(out.size());
  return out;
}

int worker(const std::string& root, int id) {
  base::SystemClock clock;
  auto blobs = ContentStore::open(root);
  auto meta = MetadataStore::open(root, clock);
  if (!blobs || !meta) {
    std::fprintf(stderr, "worker %d: open failed: %s\n", id,
                 !blobs ? blobs.error().message.c_str() : meta.error().message.c_str());
    return 1;
  }
  ImageStore images(*blobs, *meta);
  auto fail = [id](const base::Error& e) {
    std::fprintf(stderr, "worker %d: %s\n", id, e.message.c_str());
    return 1;
  };
  for (int round = 0; round < k_rounds; ++round) {
    auto lease = meta->create_lease(blobs->tmp());
    if (!lease) return fail(lease.error());
    // Same content in every process for even rounds: concurrent identical writes.
    std::string seed = round % 2 == 0 ? "shared-" + std::to_string(round)
                                      : "own-" + std::to_string(id) + "-" + std::to_string(round);
    auto target = testing::write_test_image(*blobs, layer_bytes(seed), &*lease);
    if (!target) return fail(target.error());
    std::string name = "p" + std::to_string(id) + ":" + std::to_string(round);
    if (auto r = images.tag(name, *target); !r) return fail(r.error());
    if (auto r = images.tag("contended", *target); !r) return fail(r.error());
    if (auto r = lease->release(); !r) return fail(r.error());
    // Read whatever "contended" points at now, written by any process.
    auto current = images.get("contended");
    if (!current) return fail(current.error());
    if (*current) {
      auto bytes = blobs->read((*current)->target.digest);
      // A concurrent retag plus GC may remove it between get and read; that
      // is a not-found, never a corrupt read.
      if (!bytes && bytes.error().message.find("not found") == std::string::npos)
        return fail(bytes.error());
    }
    if (round % 5 == 4) {
      if (auto r = collect_garbage(*meta, *blobs); !r) return fail(r.error());
    }
    // Opening cleans tmp/ while the other processes are mid-write: it must
    // remove nothing of theirs (their commits would fail).
    if (round % 3 == 1) {
      if (auto r = ContentStore::open(root); !r) return fail(r.error());
    }
  }
  return 0;
}

TEST(Concurrency, ProcessesShareOneRoot) {
  TempDir dir;
  std::vector<int> pids;
  for (int id = 0; id < k_processes; ++id)
    pids.push_back(testing::spawn([&, id] { return worker(dir.path(), id); }));
  for (int pid : pids) EXPECT_EQ(testing::wait_for(pid), 0);

  base::SystemClock clock;
  auto report = fsck(dir.path(), clock);
  ASSERT_TRUE(report.ok()) << report.error().message;
  for (const auto& p : report->problems) ADD_FAILURE() << p;
  EXPECT_TRUE(report->tmp_removed.empty());

  auto blobs = *ContentStore::open(dir.path());
  auto meta = *MetadataStore::open(dir.path(), clock);
  auto images = *meta.list_images();
  EXPECT_EQ(images.size(), static_cast<size_t>(k_processes * k_rounds + 1));
  for (const auto& image : images) {
    auto needed = image_blobs(blobs, image.target);
    EXPECT_TRUE(needed.ok()) << image.name << ": " << needed.error().message;
  }
}

}  // namespace
}  // namespace content
