// Crash safety: a child process works on the store in a loop (leases, chunked
// blob writes, commits, tags, untags, cache records, garbage collection) and
// is killed with SIGKILL at a point chosen by a seeded random number of
// completed steps plus a random delay. After every kill the store must pass
// fsck, and the next process must be able to use it: read every tagged image
// and write a new one.

#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <random>

#include "content/fsck.h"
#include "content/gc.h"
#include "content/image_store.h"
#include "content/test_support.h"

namespace content {
namespace {

using testing::TempDir;

constexpr int k_kills = 12;

// Reports one byte on `progress` after every step; runs until killed.
int busy_worker(const std::string& root, int progress, unsigned seed) {
  base::SystemClock clock;
  auto blobs = ContentStore::open(root);
  auto meta = MetadataStore::open(root, clock);
  if (!blobs || !meta) return 1;
  ImageStore images(*blobs, *meta);
  std::mt19937 rng(seed);
  for (int step = 0;; ++step) {
    auto lease = meta->create_lease(blobs->tmp());
    if (!lease) return 1;
    std::string layer(4096 * (1 + rng() % 64), static_cast<char>('a' + rng() % 26));
    layer += std::to_string(seed) + "/" + std::to_string(step);
    auto target = testing::write_test_image(*blobs, layer, &*lease);
    if (!target) return 1;
    std::string name = "img" + std::to_string(rng() % 6);
    if (!images.tag(name, *target)) return 1;
    if (!meta->put_cache_record("key" + std::to_string(rng() % 4), "{}", {target->digest})) return 1;
    if (rng() % 3 == 0 && !images.remove("img" + std::to_string(rng() % 6))) return 1;
    if (!lease->release()) return 1;
    if (rng() % 4 == 0 && !collect_garbage(*meta, *blobs)) return 1;
    char c = 's';
    if (::write(progress, &c, 1) != 1) return 1;
  }
}

TEST(CrashSafety, StoreSurvivesSigkillAtAnyStep) {
  TempDir dir;
  std::mt19937 rng(20261127);
  base::SystemClock clock;
  int kills_with_leftovers = 0;
  for (int kill = 0; kill < k_kills; ++kill) {
    int pipefd[2];
    ASSERT_EQ(::pipe(pipefd), 0);
    unsigned seed = static_cast<unsigned>(rng());
    int pid = testing::spawn([&] {
      ::close(pipefd[0]);
      return busy_worker(dir.path(), pipefd[1], seed);
    });
    ::close(pipefd[1]);
    // Let it complete a few steps, then kill it somewhere inside the next one.
    int steps = 1 + static_cast<int>(rng() % 4);
    bool child_alive = true;
    for (int i = 0; i < steps && child_alive; ++i) {
      char c = 0;
      child_alive = ::read(pipefd[0], &c, 1) == 1;
    }
    ASSERT_TRUE(child_alive) << "worker failed before being killed (round " << kill << ")";
    ::usleep(static_cast<useconds_t>(rng() % 20000));
    ::kill(pid, SIGKILL);
    int status = testing::wait_for(pid);
    ::close(pipefd[0]);
    ASSERT_TRUE(status == 128 + SIGKILL) << "worker exited with " << status;

    auto report = fsck(dir.path(), clock);
    ASSERT_TRUE(report.ok()) << report.error().message;
    for (const auto& p : report->problems) ADD_FAILURE() << "after kill " << kill << ": " << p;
    if (!report->tmp_removed.empty()) ++kills_with_leftovers;
  }
  // Proof that the kills landed inside work (a lease or a blob in progress),
  // not only between steps.
  EXPECT_GT(kills_with_leftovers, 0);

  // The next build uses the store: every image is complete, and new work succeeds.
  auto blobs = *ContentStore::open(dir.path());
  auto meta = *MetadataStore::open(dir.path(), clock);
  ImageStore images(blobs, meta);
  auto all = *images.list();
  EXPECT_FALSE(all.empty());
  for (const auto& image : all) {
    auto needed = image_blobs(blobs, image.target);
    ASSERT_TRUE(needed.ok()) << needed.error().message;
    for (const auto& d : *needed) EXPECT_TRUE(blobs.read(d).ok()) << d.str();
  }
  auto lease = *meta.create_lease(blobs.tmp());
  auto target = testing::write_test_image(blobs, "after the crashes", &lease);
  ASSERT_TRUE(target.ok());
  ASSERT_TRUE(images.tag("fresh", *target).ok());
  ASSERT_TRUE(lease.release().ok());
  ASSERT_TRUE(collect_garbage(meta, blobs).ok());
  auto final_report = fsck(dir.path(), clock);
  ASSERT_TRUE(final_report.ok());
  EXPECT_TRUE(final_report->ok());
}

}  // namespace
}  // namespace content
