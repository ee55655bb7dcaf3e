#pragma once
// A fresh kiln root and context per test, run once with the copy snapshotter
// and once with the default one (overlay when running as root).
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/cli/run_kiln.h"
#include "tests/cli/test_files.h"

namespace storage_test {

namespace fs = std::filesystem;

using tests::TempDir;
using tests::write;

// Incompressible bytes, so layer blobs are as big as the files.
inline std::string random_bytes(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(gen() & 0xff);
  return out;
}

inline size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// The parameter is the snapshotter: "copy" or "" (kiln's default).
class StorageTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam().empty()) ::unsetenv("KILN_SNAPSHOTTER");
    else ::setenv("KILN_SNAPSHOTTER", GetParam().c_str(), 1);
    root = store.path() + "/root";
    ctx = work.path() + "/ctx";
    fs::create_directories(ctx);
  }
  void TearDown() override { ::unsetenv("KILN_SNAPSHOTTER"); }

  std::vector<std::string> with_root(std::vector<std::string> args) const {
    args.push_back("--root");
    args.push_back(root);
    return args;
  }
  tests::KilnRun kiln(std::vector<std::string> args) const { return tests::run_kiln(with_root(args)); }
  std::vector<std::string> build_args(const std::string& context, std::vector<std::string> extra = {}) const {
    std::vector<std::string> args{"build", "--progress=plain"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(context);
    return with_root(args);
  }
  tests::KilnRun build(const std::string& context, std::vector<std::string> extra = {}) const {
    return tests::run_kiln(build_args(context, std::move(extra)));
  }
  void expect_fsck_clean() const {
    auto r = kiln({"fsck"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("no problems"), std::string::npos) << r.out;
  }

  TempDir store, work;
  std::string root, ctx;
};

inline std::string snapshotter_name(const ::testing::TestParamInfo<std::string>& info) {
  return info.param.empty() ? "default" : info.param;
}

}  // namespace storage_test
