#pragma once
// Test helpers: a temporary build context and kiln root on the real
// filesystem, removed on destruction.

#include <cstdint>
#include <string>

namespace solver::ops::context::testing {

class TestTree {
 public:
  TestTree();
  ~TestTree();
  TestTree(const TestTree&) = delete;
  TestTree& operator=(const TestTree&) = delete;

  const std::string& context() const { return m_context; }  // the build context
  const std::string& root() const { return m_root; }        // a kiln root, beside it
  std::string abs(const std::string& rel) const { return m_context + "/" + rel; }

  // Creates parent directories as needed.
  void write(const std::string& rel, const std::string& content, uint32_t mode = 0644);
  void mkdir(const std::string& rel, uint32_t mode = 0755);
  void symlink(const std::string& rel, const std::string& target);
  void chmod(const std::string& rel, uint32_t mode);
  void remove(const std::string& rel);
  // Sets mtime (and atime) to `unix_seconds`; ctime becomes now, as always.
  void set_mtime(const std::string& rel, int64_t unix_seconds, int64_t nanos = 0);

 private:
  std::string m_base;
  std::string m_context;
  std::string m_root;
};

}  // namespace solver::ops::context::testing
