// A quick speed check for PatternMatcher, without a benchmark library:
// matches a synthetic 20,000-path build context against 30 typical patterns
// and prints the time per full pass. Run by hand:
//   cmake --build <build> --target frontend_ignore_speed_check
//   <build>/frontend/ignore/frontend_ignore_speed_check
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <string>
#include <vector>

#include "frontend/ignore/pattern_matcher.h"

namespace {

std::vector<std::string> synthetic_context() {
  const char* exts[] = {".go", ".py", ".pyc", ".js", ".md", ".txt", ".json", ".log", ".cc", ".h"};
  std::vector<std::string> paths;
  for (int m = 0; m < 40; ++m) {
    for (int s = 0; s < 10; ++s) {
      for (int f = 0; f < 25; ++f) {
        paths.push_back("src/module" + std::to_string(m) + "/pkg" + std::to_string(s) + "/file" +
                        std::to_string(f) + exts[(m + s + f) % 10]);
      }
    }
  }
  for (int p = 0; p < 200; ++p) {
    for (int f = 0; f < 25; ++f) {
      paths.push_back("web/node_modules/package-" + std::to_string(p) + "/lib/index" + std::to_string(f) + ".js");
    }
  }
  for (int o = 0; o < 2000; ++o) {
    char dir[3];
    std::snprintf(dir, sizeof dir, "%02x", o % 256);
    paths.push_back(".git/objects/" + std::string(dir) + "/object" + std::to_string(o));
  }
  for (int d = 0; d < 3000 && paths.size() < 20000; ++d) {
    paths.push_back("docs/section" + std::to_string(d % 30) + "/page" + std::to_string(d) + ".md");
  }
  paths.resize(std::min<size_t>(paths.size(), 20000));
  return paths;
}

}  // namespace

int main() {
  const std::vector<std::string> patterns = {
      ".git", ".gitignore", "**/node_modules", "**/*.pyc", "**/__pycache__", "*.log", "**/*.log",
      "build", "dist/**", "coverage", ".vscode", ".idea", "*.swp", "**/.DS_Store", "docs/**/*.tmp",
      "docs", "!docs/section1/**", "!README.md", "tmp?", "**/*.o", "src/**/testdata",
      "src/module1*/pkg[0-4]", "!src/module12/pkg3/file1.go", "*.md", "!CHANGELOG.md",
      "**/secrets/*.key", "Dockerfile*", "!Dockerfile", ".env*", "**/*.[oa]"};
  auto pm = frontend::ignore::PatternMatcher::create(patterns);
  if (!pm.ok()) {
    std::fprintf(stderr, "error: %s\n", pm.error().render().c_str());
    return 1;
  }
  const std::vector<std::string> paths = synthetic_context();
  size_t excluded = 0;
  double best_ms = 1e9;
  double best_cpu_ms = 1e9;
  for (int round = 0; round < 5; ++round) {
    timespec cpu_start{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu_start);
    const auto start = std::chrono::steady_clock::now();
    size_t n = 0;
    for (const std::string& p : paths) if (pm->excluded(p)) ++n;
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
    timespec cpu_end{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu_end);
    const double cpu_ms = static_cast<double>(cpu_end.tv_sec - cpu_start.tv_sec) * 1e3 +
                          static_cast<double>(cpu_end.tv_nsec - cpu_start.tv_nsec) / 1e6;
    best_ms = std::min(best_ms, took.count());
    best_cpu_ms = std::min(best_cpu_ms, cpu_ms);
    excluded = n;
  }
  std::printf("%zu paths x %zu patterns: %zu excluded; best of 5 passes: %.2f ms wall, %.2f ms CPU (%.0f ns/path)\n",
              paths.size(), patterns.size(), excluded, best_ms, best_cpu_ms,
              best_cpu_ms * 1e6 / static_cast<double>(paths.size()));
  return 0;
}
