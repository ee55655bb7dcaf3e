#pragma once
// A fresh directory under $TMPDIR (or /tmp) for one test, removed with
// everything in it on destruction. Test-only.

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

namespace snapshotter::layer::testing {

class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/kiln-layer-XXXXXX";
    char* made = mkdtemp(tmpl.data());
    if (made != nullptr) m_path = made;
  }
  ~TempDir() {
    std::error_code ec;  // best effort: a leftover temp dir fails nothing
    if (!m_path.empty()) std::filesystem::remove_all(m_path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return m_path; }
  std::string operator/(const std::string& rel) const { return m_path + "/" + rel; }

 private:
  std::string m_path;
};

}  // namespace snapshotter::layer::testing
