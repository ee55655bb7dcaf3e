#pragma once
// TempDir for tests of every module: a fresh directory under $TMPDIR (or
// /tmp), removed with everything in it when the object goes. A test cannot
// run without its directory, so failing to make one aborts with the reason.
#include <string>
#include <string_view>

namespace base::testing {

class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "kiln-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
};

}  // namespace base::testing
