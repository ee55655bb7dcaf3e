#include "solver/ops/context/test_tree.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace solver::ops::context::testing {

namespace fs = std::filesystem;

TestTree::TestTree() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp != nullptr ? tmp : "/tmp") + "/kiln-ctx-test-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  m_base = pattern;
  m_context = m_base + "/context";
  m_root = m_base + "/root";
  fs::create_directories(m_context);
  fs::create_directories(m_root);
}

TestTree::~TestTree() {
  std::error_code ec;
  fs::remove_all(m_base, ec);
}

void TestTree::write(const std::string& rel, const std::string& content, uint32_t mode) {
  fs::create_directories(fs::path(abs(rel)).parent_path());
  {
    std::ofstream out(abs(rel), std::ios::binary | std::ios::trunc);
    out << content;
  }
  chmod(rel, mode);
}

void TestTree::mkdir(const std::string& rel, uint32_t mode) {
  fs::create_directories(abs(rel));
  chmod(rel, mode);
}

void TestTree::symlink(const std::string& rel, const std::string& target) {
  fs::create_directories(fs::path(abs(rel)).parent_path());
  std::error_code ec;
  fs::remove(abs(rel), ec);
  fs::create_symlink(target, abs(rel));
}

void TestTree::chmod(const std::string& rel, uint32_t mode) {
  if (::chmod(abs(rel).c_str(), static_cast<mode_t>(mode)) != 0) {
    throw std::runtime_error("chmod failed: " + rel);
  }
}

void TestTree::remove(const std::string& rel) { fs::remove_all(abs(rel)); }

void TestTree::set_mtime(const std::string& rel, int64_t unix_seconds, int64_t nanos) {
  struct timespec times[2];
  times[0].tv_sec = static_cast<time_t>(unix_seconds);
  times[0].tv_nsec = static_cast<long>(nanos);
  times[1] = times[0];
  if (utimensat(AT_FDCWD, abs(rel).c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) {
    throw std::runtime_error("utimensat failed: " + rel);
  }
}

}  // namespace solver::ops::context::testing
