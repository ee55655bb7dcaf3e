// COPY and ADD: flags, sources (paths and heredocs) and the destination.
#include "frontend/instructions/detail.h"

namespace frontend::instructions::detail {
namespace {

struct HeredocWord {
  std::string name;
  bool chomp = false;
  bool expand = true;
};

// Recognises a heredoc source word ("<<EOF", "<<-EOF", "<<'EOF'", "3<<EOF")
// as BuildKit's MustParseHeredoc does: optional fd digits, "<<", optional
// "-", then one shell word with no '<'. Quoting anywhere disables expansion.
std::optional<HeredocWord> heredoc_word(std::string_view word) {
  size_t i = 0;
  while (i < word.size() && word[i] >= '0' && word[i] <= '9') ++i;
  if (word.substr(i, 2) != "<<") return std::nullopt;
  i += 2;
  HeredocWord h;
  if (i < word.size() && word[i] == '-') {
    h.chomp = true;
    ++i;
  }
  std::string_view rest = word.substr(i);
  if (rest.empty() || rest.find('<') != std::string_view::npos) return std::nullopt;
  char quote = 0;
  for (size_t j = 0; j < rest.size(); ++j) {
    char c = rest[j];
    if (quote) {
      if (c == quote) {
        quote = 0;
      } else if (quote == '"' && c == '\\' && j + 1 < rest.size() &&
                 (rest[j + 1] == '"' || rest[j + 1] == '$' || rest[j + 1] == '\\')) {
        h.name += rest[++j];  // inside double quotes only these are escaped
      } else {
        h.name += c;
      }
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      h.expand = false;
    } else if (c == '\\' && j + 1 < rest.size()) {
      h.expand = false;
      h.name += rest[++j];
    } else if (c == ' ' || c == '\t' || c == '\n') {
      return std::nullopt;  // more than one word
    } else {
      h.name += c;
    }
  }
  if (quote || h.name.empty()) return std::nullopt;
  return h;
}

// <<- strips leading tabs from every body line.
std::string chomp_tabs(std::string_view content) {
  std::string out;
  bool line_start = true;
  for (char c : content) {
    if (line_start && c == '\t') continue;
    line_start = c == '\n';
    out += c;
  }
  return out;
}

struct Sources {
  std::vector<std::string> paths;
  std::vector<HeredocSource> heredocs;
  std::string dest;
};

base::Result<Sources> sources_and_dest(const Request& req) {
  const auto& args = req.node.args;
  Sources s;
  s.dest = args.back();
  if (heredoc_word(s.dest))
    return error_at(req, req.keyword + " cannot accept a heredoc as a destination",
                    "the last argument must be the destination path", s.dest);
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    auto h = heredoc_word(args[i]);
    if (!h) {
      s.paths.push_back(args[i]);
      continue;
    }
    std::string content;
    for (const auto& doc : req.node.heredocs)
      if (doc.name == h->name) content = doc.content;
    if (h->chomp) content = chomp_tabs(content);
    s.heredocs.push_back(HeredocSource{h->name, std::move(content), h->expand});
  }
  return s;
}

base::Result<void> check_two_args(const Request& req) {
  if (req.node.args.size() >= 2) return {};
  return error_at(req,
                  req.keyword +
                      " requires at least two arguments, but only one was provided. Destination "
                      "could not be determined",
                  "write " + req.keyword + " <src>... <dest>");
}

}  // namespace

base::Result<Instruction> parse_copy(const Request& req) {
  TRY(check_two_args(req));
  FlagSet flags;
  flags.add_list("exclude");
  flags.add_bool("parents");
  flags.add_string("chown");
  flags.add_string("from");
  flags.add_string("chmod");
  flags.add_bool("link");
  TRY(parse_flags(req, flags));
  TRY_ASSIGN(Sources s, sources_and_dest(req));
  CopyInstr c;
  c.sources = std::move(s.paths);
  c.heredoc_sources = std::move(s.heredocs);
  c.dest = std::move(s.dest);
  c.from = flags.get_string("from");
  c.chown = flags.get_string("chown");
  c.chmod = flags.get_string("chmod");
  c.link = flags.get_bool("link");
  c.parents = flags.get_bool("parents");
  c.excludes = flags.get_list("exclude");
  c.form = req.node.json ? CommandForm::exec : CommandForm::shell;
  return Instruction{std::move(c)};
}

base::Result<Instruction> parse_add(const Request& req) {
  TRY(check_two_args(req));
  FlagSet flags;
  flags.add_list("exclude");
  flags.add_string("chown");
  flags.add_string("chmod");
  flags.add_bool("link");
  flags.add_bool("keep-git-dir");
  flags.add_string("checksum");
  flags.add_bool("unpack");
  TRY(parse_flags(req, flags));
  TRY_ASSIGN(Sources s, sources_and_dest(req));
  AddInstr a;
  a.sources = std::move(s.paths);
  a.heredoc_sources = std::move(s.heredocs);
  a.dest = std::move(s.dest);
  a.chown = flags.get_string("chown");
  a.chmod = flags.get_string("chmod");
  a.link = flags.get_bool("link");
  if (flags.used("keep-git-dir")) a.keep_git_dir = flags.get_bool("keep-git-dir");
  a.checksum = flags.get_string("checksum");
  if (flags.used("unpack")) a.unpack = flags.get_bool("unpack");
  a.excludes = flags.get_list("exclude");
  a.form = req.node.json ? CommandForm::exec : CommandForm::shell;
  return Instruction{std::move(a)};
}

}  // namespace frontend::instructions::detail
