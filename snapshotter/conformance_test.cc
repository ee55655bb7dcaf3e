// The behaviour every snapshot backend promises (snapshotter.h), checked the
// same way for each. Built once per backend (KILN_SNAPSHOTTER_BACKEND); the
// overlay run skips with the reason when not root or overlay mounts fail.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/clock.h"
#include "snapshotter/layer/apply.h"
#include "snapshotter/layer/testing/fixtures.h"
#include "snapshotter/layer/testing/temp_dir.h"
#include "snapshotter/layer/testing/tree.h"
#include "snapshotter/open.h"
#include "snapshotter/overlay/overlay.h"

#ifndef KILN_SNAPSHOTTER_BACKEND
#define KILN_SNAPSHOTTER_BACKEND "copy"
#endif

namespace snapshotter {
namespace {

namespace fs = std::filesystem;
using layer::testing::describe_tree;
using layer::testing::read_file;
using layer::testing::TempDir;
using layer::testing::TreeOptions;
using layer::testing::write_file;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

class Conformance : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_FALSE(m_root.path().empty());
    if (GetParam() == "overlay") {
      if (::geteuid() != 0) GTEST_SKIP() << "the overlay backend needs root to mount";
      if (!OverlaySnapshotter::probe(m_root.path()))
        GTEST_SKIP() << "overlay mounts fail under " << m_root.path();
    }
    auto s = open_snapshotter(m_root.path(), GetParam(), m_clock);
    ASSERT_TRUE(s.ok()) << s.error().message;
    m_snap = std::move(s).value();
    ASSERT_STREQ(m_snap->backend(), GetParam().c_str());
  }

  std::string prepare(const std::string& parent) {
    auto r = m_snap->prepare(parent);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? r.value() : std::string();
  }
  void commit(const std::string& id) {
    auto r = m_snap->commit(id);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r.value(), id);
  }
  std::unique_ptr<MountedFs> mount(const std::string& id) {
    auto m = m_snap->mount(id);
    EXPECT_TRUE(m.ok()) << m.error().message;
    return m.ok() ? std::move(m).value() : nullptr;
  }
  // Runs `change` on the mounted active snapshot `id`, then commits it.
  template <class Fn>
  void change_and_commit(const std::string& id, Fn change) {
    {
      auto m = mount(id);
      ASSERT_NE(m, nullptr);
      change(m->path());
    }
    commit(id);
  }
  std::string diff_of(const std::string& id) {
    layer::StringSink sink;
    auto r = m_snap->write_diff(id, sink, {});
    EXPECT_TRUE(r.ok()) << r.error().message;
    return sink.data();
  }
  std::vector<std::string> tree_of(const std::string& id) {
    auto m = mount(id);
    if (m == nullptr) return {};
    return describe_tree(m->path(), k_tree);
  }
  bool exists(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
  }

  // Sub-second times are not carried by layers, and the root's own entry is
  // not part of a diff.
  static constexpr TreeOptions k_tree{.owners = true, .mtimes = false, .dir_mtimes = false};

  TempDir m_root;
  base::SystemClock m_clock;
  std::unique_ptr<Snapshotter> m_snap;
};

TEST_P(Conformance, PrepareCommitMount) {
  std::string a = prepare("");
  auto info = m_snap->stat(a);
  ASSERT_TRUE(info.ok() && info.value());
  EXPECT_EQ(info.value()->kind, SnapshotKind::active);
  EXPECT_EQ(info.value()->parent, "");
  EXPECT_GT(info.value()->created, 0);
  change_and_commit(a, [](const std::string& root) {
    fs::create_directories(root + "/etc");
    write_file(root + "/etc/conf", "hello", 0640);
  });
  info = m_snap->stat(a);
  ASSERT_TRUE(info.ok() && info.value());
  EXPECT_EQ(info.value()->kind, SnapshotKind::committed);
  EXPECT_GE(info.value()->size, 5u);
  {
    auto m = mount(a);
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(read_file(m->path() + "/etc/conf"), "hello");
  }
  std::string b = prepare(a);
  auto m = mount(b);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(read_file(m->path() + "/etc/conf"), "hello");
  struct stat st {};
  ASSERT_EQ(::stat((m->path() + "/etc/conf").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
}

TEST_P(Conformance, StateErrorsNameTheSnapshot) {
  std::string a = prepare("");
  auto on_active = m_snap->prepare(a);
  ASSERT_FALSE(on_active.ok());
  EXPECT_THAT(on_active.error().message, HasSubstr(a));
  auto missing = m_snap->prepare("nosuchparent");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.error().message, HasSubstr("nosuchparent"));
  commit(a);
  auto twice = m_snap->commit(a);
  ASSERT_FALSE(twice.ok());
  EXPECT_THAT(twice.error().message, HasSubstr(a));
  layer::StringSink sink;
  std::string b = prepare(a);
  auto diff = m_snap->write_diff(b, sink, {});
  ASSERT_FALSE(diff.ok());
  EXPECT_THAT(diff.error().message, HasSubstr("not committed"));
}

TEST_P(Conformance, CommittedSnapshotsAreReadOnly) {
  if (GetParam() == "copy" && ::geteuid() != 0)
    GTEST_SKIP() << "the copy backend enforces read-only mounts only as root";
  std::string a = prepare("");
  change_and_commit(a, [](const std::string& root) { write_file(root + "/f", "x"); });
  auto m = mount(a);
  ASSERT_NE(m, nullptr);
  int fd = ::open((m->path() + "/new").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  EXPECT_LT(fd, 0);
  EXPECT_EQ(errno, EROFS);
  if (fd >= 0) ::close(fd);
  EXPECT_NE(::unlink((m->path() + "/f").c_str()), 0);
  auto specs = m_snap->mounts(a);
  ASSERT_TRUE(specs.ok()) << specs.error().message;
  ASSERT_FALSE(specs.value().empty());
  EXPECT_THAT(specs.value().back().options, Contains("ro"));
}

TEST_P(Conformance, ChildChangesStayInTheChild) {
  std::string a = prepare("");
  change_and_commit(a, [](const std::string& root) { write_file(root + "/f", "one"); });
  std::string b = prepare(a);
  change_and_commit(b, [](const std::string& root) {
    write_file(root + "/f", "two");
    write_file(root + "/g", "new");
  });
  std::string c = prepare(a);
  for (const std::string& id : {a, c}) {
    auto m = mount(id);
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(read_file(m->path() + "/f"), "one") << id;
    EXPECT_FALSE(exists(m->path() + "/g")) << id;
  }
  auto m = mount(b);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(read_file(m->path() + "/f"), "two");
  EXPECT_EQ(read_file(m->path() + "/g"), "new");
}

// Applying the diffs of a chain onto an empty directory rebuilds the child.
TEST_P(Conformance, DeletionBecomesWhiteout) {
  std::string a = prepare("");
  change_and_commit(a, [](const std::string& root) {
    write_file(root + "/keep", "k");
    write_file(root + "/gone", "g");
    fs::create_directories(root + "/dir");
    write_file(root + "/dir/x", "x");
    write_file(root + "/dir/y", "y");
  });
  std::string b = prepare(a);
  change_and_commit(b, [](const std::string& root) {
    fs::remove(root + "/gone");
    fs::remove(root + "/dir/x");
    write_file(root + "/keep", "changed");
  });
  std::string tar = diff_of(b);
  auto names = layer::testing::names_of(tar);
  EXPECT_THAT(names, Contains(".wh.gone"));
  EXPECT_THAT(names, Contains("dir/.wh.x"));
  EXPECT_THAT(names, Not(Contains("dir/y")));

  TempDir rebuilt;
  layer::testing::apply_ok(rebuilt.path(), diff_of(a));
  layer::testing::apply_ok(rebuilt.path(), tar);
  EXPECT_EQ(describe_tree(rebuilt.path(), k_tree), tree_of(b));
  EXPECT_FALSE(exists(rebuilt / "gone"));
}

TEST_P(Conformance, ReplacedDirectoryHidesTheOldContents) {
  std::string a = prepare("");
  change_and_commit(a, [](const std::string& root) {
    fs::create_directories(root + "/app/sub");
    write_file(root + "/app/old1", "1");
    write_file(root + "/app/sub/old2", "2");
  });
  std::string b = prepare(a);
  change_and_commit(b, [](const std::string& root) {
    fs::remove_all(root + "/app");
    fs::create_directories(root + "/app");
    write_file(root + "/app/new", "n");
  });
  std::string tar = diff_of(b);
  if (GetParam() == "overlay") {
    EXPECT_THAT(layer::testing::names_of(tar), Contains("app/.wh..wh..opq"));
  }
  TempDir rebuilt;
  layer::testing::apply_ok(rebuilt.path(), diff_of(a));
  layer::testing::apply_ok(rebuilt.path(), tar);
  EXPECT_EQ(describe_tree(rebuilt.path(), k_tree), tree_of(b));
  EXPECT_FALSE(exists(rebuilt / "app/old1"));
  EXPECT_FALSE(exists(rebuilt / "app/sub"));
  EXPECT_EQ(read_file(rebuilt / "app/new"), "n");
}

TEST_P(Conformance, RemoveRefusesWhileChildrenExist) {
  std::string a = prepare("");
  commit(a);
  std::string b = prepare(a);
  std::string c = prepare(a);
  auto r = m_snap->remove(a);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr(b));
  EXPECT_THAT(r.error().message, HasSubstr(c));
  ASSERT_TRUE(m_snap->remove(b).ok());
  ASSERT_TRUE(m_snap->remove(c).ok());
  auto gone = m_snap->remove(a);
  ASSERT_TRUE(gone.ok()) << gone.error().message;
  auto info = m_snap->stat(a);
  ASSERT_TRUE(info.ok());
  EXPECT_FALSE(info.value().has_value());
  EXPECT_FALSE(exists(m_root / ("snapshots/" + a)));
  EXPECT_TRUE(m_snap->remove(a).ok()) << "removing a missing id is not an error";
}

TEST_P(Conformance, StatAndList) {
  std::string a = prepare("");
  commit(a);
  std::string b = prepare(a);
  auto all = m_snap->list();
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all.value().size(), 2u);
  for (const auto& info : all.value()) {
    if (info.id == a) {
      EXPECT_EQ(info.kind, SnapshotKind::committed);
      EXPECT_EQ(info.parent, "");
    } else {
      EXPECT_EQ(info.id, b);
      EXPECT_EQ(info.kind, SnapshotKind::active);
      EXPECT_EQ(info.parent, a);
    }
    EXPECT_GT(info.created, 0);
    EXPECT_GE(info.last_used, info.created);
  }
  auto none = m_snap->stat("nosuchsnapshot");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none.value().has_value());
}

TEST_P(Conformance, CleanupRemovesSnapshotsOfKilledProcesses) {
  std::string base = prepare("");
  commit(base);
  std::string mine = prepare(base);
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // A separate process with its own connection, as another kiln would be.
    ::close(fds[0]);
    auto s = open_snapshotter(m_root.path(), GetParam(), m_clock);
    std::string id;
    std::unique_ptr<MountedFs> held;  // still mounted when the kill comes
    if (s.ok()) {
      auto r = s.value()->prepare(base);
      auto m = r.ok() ? s.value()->mount(r.value()) : base::make_error("no snapshot");
      if (m.ok()) {
        id = r.value();
        held = std::move(m).value();
      }
    }
    (void)!::write(fds[1], id.data(), id.size());
    ::close(fds[1]);
    for (;;) ::pause();
  }
  ::close(fds[1]);
  char buf[64];
  ssize_t n = ::read(fds[0], buf, sizeof buf);
  ::close(fds[0]);
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_GT(n, 0) << "the child could not prepare";
  std::string orphan(buf, static_cast<size_t>(n));
  ASSERT_TRUE(exists(m_root / ("snapshots/" + orphan)));
  // A directory without a row, as a crash between row and directory leaves.
  fs::create_directories(m_root / "snapshots/feedfacecafe/fs");

  std::string pid_prefix = std::to_string(pid) + "-";
  auto mounted_by_child = [&] {
    if (!exists(m_root / "mnt")) return false;
    for (const auto& e : fs::directory_iterator(m_root / "mnt"))
      if (e.path().filename().string().rfind(pid_prefix, 0) == 0) return true;
    return false;
  };
  if (GetParam() == "overlay") {
    EXPECT_TRUE(mounted_by_child()) << "an overlay mount of the child's snapshot was left";
  }

  auto removed = m_snap->cleanup_abandoned();
  ASSERT_TRUE(removed.ok()) << removed.error().message;
  EXPECT_THAT(removed.value(), Contains(orphan));
  EXPECT_THAT(removed.value(), Contains("feedfacecafe"));
  EXPECT_THAT(removed.value(), Not(Contains(mine)));
  EXPECT_FALSE(exists(m_root / ("snapshots/" + orphan)));
  EXPECT_FALSE(exists(m_root / "snapshots/feedfacecafe"));
  EXPECT_FALSE(mounted_by_child());
  auto info = m_snap->stat(orphan);
  ASSERT_TRUE(info.ok());
  EXPECT_FALSE(info.value().has_value());
  info = m_snap->stat(mine);
  ASSERT_TRUE(info.ok() && info.value().has_value()) << "a live process's snapshot stays";
  EXPECT_TRUE(m_snap->remove(base).ok() == false) << "mine still needs base";
}

TEST_P(Conformance, ConcurrentPrepareAndCommit) {
  constexpr int k_steps = 12;
  std::string base = prepare("");
  commit(base);
  auto second = open_snapshotter(m_root.path(), GetParam(), m_clock);
  ASSERT_TRUE(second.ok()) << second.error().message;
  // Thread 0 shares this test's instance with the test thread's checks
  // below; thread 1 has its own connection, like a second process.
  Snapshotter* users[2] = {m_snap.get(), second.value().get()};
  std::string tips[2];
  std::string failures[2];
  auto work = [&](int t) {
    Snapshotter& s = *users[t];
    std::string parent = base;
    for (int i = 0; i < k_steps; ++i) {
      auto id = s.prepare(parent);
      if (!id.ok()) { failures[t] = id.error().message; return; }
      {
        auto m = s.mount(id.value());
        if (!m.ok()) { failures[t] = m.error().message; return; }
        write_file(m.value()->path() + "/t" + std::to_string(t) + "-" + std::to_string(i), "x");
      }
      auto c = s.commit(id.value());
      if (!c.ok()) { failures[t] = c.error().message; return; }
      parent = id.value();
    }
    tips[t] = parent;
  };
  std::thread t0(work, 0), t1(work, 1);
  t0.join();
  t1.join();
  ASSERT_EQ(failures[0], "");
  ASSERT_EQ(failures[1], "");
  auto all = m_snap->list();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all.value().size(), 1u + 2 * k_steps);
  for (int t = 0; t < 2; ++t) {
    auto m = mount(tips[t]);
    ASSERT_NE(m, nullptr);
    for (int i = 0; i < k_steps; ++i)
      EXPECT_TRUE(exists(m->path() + "/t" + std::to_string(t) + "-" + std::to_string(i)));
    EXPECT_FALSE(exists(m->path() + "/t" + std::to_string(1 - t) + "-0"));
  }
}

TEST_P(Conformance, LongChainMountsAndReads) {
  constexpr int k_depth = 210;
  std::string parent;
  for (int i = 0; i < k_depth; ++i) {
    std::string id = prepare(parent);
    ASSERT_FALSE(id.empty());
    change_and_commit(id, [&](const std::string& root) {
      write_file(root + "/l" + std::to_string(i), std::to_string(i));
      if (i % 50 == 49) fs::remove(root + "/l" + std::to_string(i - 1));
    });
    if (HasFatalFailure()) return;
    parent = id;
  }
  {
    auto m = mount(parent);
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(read_file(m->path() + "/l0"), "0");
    EXPECT_EQ(read_file(m->path() + "/l" + std::to_string(k_depth - 1)),
              std::to_string(k_depth - 1));
    EXPECT_FALSE(exists(m->path() + "/l48"));
    EXPECT_FALSE(exists(m->path() + "/l198"));
    EXPECT_EQ(std::distance(fs::directory_iterator(m->path()), fs::directory_iterator()),
              k_depth - k_depth / 50);
  }
  std::string top = prepare(parent);
  auto m = mount(top);
  ASSERT_NE(m, nullptr);
  write_file(m->path() + "/top", "t");
  EXPECT_EQ(read_file(m->path() + "/l100"), "100");
}

INSTANTIATE_TEST_SUITE_P(Backend, Conformance,
                         ::testing::Values(std::string(KILN_SNAPSHOTTER_BACKEND)),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace snapshotter
