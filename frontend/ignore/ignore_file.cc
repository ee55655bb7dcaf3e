#include "frontend/ignore/ignore_file.h"

#include "frontend/ignore/go_path.h"
#include "frontend/ignore/pattern_matcher.h"

namespace frontend::ignore {
namespace {

constexpr std::string_view k_utf8_bom = "\xEF\xBB\xBF";
// The reference reads lines with a bufio.Scanner of the default 64 KiB limit.
constexpr size_t k_max_line = 64 * 1024 - 1;

base::SourcePos pos_of(std::string_view file, int line, int column, std::string_view text) {
  base::SourcePos pos;
  pos.file = std::string(file);
  pos.line = line;
  pos.column = column;
  pos.line_text = std::string(text);
  return pos;
}

// Cleans one pattern line, keeping a leading '!' aside.
std::string normalize(std::string_view line) {
  std::string_view pattern = trim_go_space(line);
  const bool invert = pattern[0] == '!';
  if (invert) pattern = trim_go_space(pattern.substr(1));
  std::string out;
  if (!pattern.empty()) {
    out = clean_path(pattern);
    if (out.size() > 1 && out[0] == '/') out.erase(0, 1);
  }
  if (invert) out.insert(0, "!");
  return out;
}

}  // namespace

base::Result<std::vector<std::string>> read_ignore_patterns(std::string_view content,
                                                            std::string_view file_name) {
  std::vector<std::string> patterns;
  int line_no = 0;
  size_t start = 0;
  while (start < content.size()) {
    size_t end = content.find('\n', start);
    const size_t next = end == std::string_view::npos ? content.size() : end + 1;
    if (end == std::string_view::npos) end = content.size();
    std::string_view raw = content.substr(start, end - start);
    start = next;
    ++line_no;
    if (raw.size() > k_max_line) {
      return base::make_error_at(pos_of(file_name, line_no, 0, raw.substr(0, 80)),
                                 "line too long (" + std::to_string(raw.size()) +
                                     " bytes, at most " + std::to_string(k_max_line) + ")");
    }
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    std::string_view line = raw;
    if (line_no == 1 && line.substr(0, k_utf8_bom.size()) == k_utf8_bom) line.remove_prefix(k_utf8_bom.size());
    if (!line.empty() && line[0] == '#') continue;
    std::string_view trimmed = trim_go_space(line);
    if (trimmed.empty()) continue;
    std::string pattern = normalize(line);
    auto ok = check_pattern(pattern);
    if (!ok.ok()) {
      const int column = static_cast<int>(trimmed.data() - raw.data()) + 1;
      std::string hint;
      if (pattern == "!") hint = "an exception needs a pattern after '!', as in \"!README.md\"";
      else hint = "escape a literal '[', '*', '?' or '\\' with a backslash";
      return base::make_error_at(pos_of(file_name, line_no, column, raw), ok.error().message, hint);
    }
    patterns.push_back(std::move(pattern));
  }
  return patterns;
}

base::Result<std::optional<std::string>> find_ignore_file(const base::Fs& fs,
                                                          const std::string& context_dir,
                                                          const std::string& dockerfile_path) {
  if (!dockerfile_path.empty()) {
    std::string specific = dockerfile_path + std::string(k_dockerignore_name);
    auto content = fs.read_file(specific);
    if (content.ok() && !content->empty()) return std::optional<std::string>{specific};
  }
  std::string root = context_dir.empty() || context_dir == "."
                         ? std::string(k_dockerignore_name)
                         : (context_dir.back() == '/' ? context_dir : context_dir + "/") +
                               std::string(k_dockerignore_name);
  if (fs.read_file(root).ok()) return std::optional<std::string>{root};
  return std::optional<std::string>{};
}

}  // namespace frontend::ignore
