// COPY and ADD: one File op whose copy actions read the build context,
// another stage, an image, an HTTP download, a git checkout or inline
// (heredoc) files, as BuildKit's dispatchCopy builds them.
#include <cctype>

#include "base/digest.h"
#include "frontend/lower/git_ref.h"
#include "frontend/lower/lowering.h"
#include "frontend/lower/paths.h"

namespace frontend::lower::detail {
namespace {

struct CopySpec {
  bool is_add = false;
  std::vector<std::string> sources;
  std::vector<ins::HeredocSource> heredocs;
  std::string dest;
  std::string chown;
  std::string chmod;
  bool link = false;
  bool parents = false;
  std::vector<std::string> excludes;
  std::optional<bool> keep_git_dir;  // --keep-git-dir, when given
  std::string checksum;
  std::optional<bool> unpack;
};

bool contains_wildcards(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '*' || s[i] == '?' || s[i] == '[') return true;
    if (s[i] == '\\') ++i;
  }
  return false;
}

// chmod: octal up to 07777 (normalized to four digits) or a symbolic mode
// such as "u=rwX,go=rX".
base::Result<std::string> check_chmod(const std::string& value) {
  const std::string non_octal =
      "invalid chmod parameter: '" + value + "'. it should be octal string and between 0 and 07777";
  bool digits = !value.empty();
  for (char c : value) digits = digits && std::isdigit(static_cast<unsigned char>(c));
  if (digits) {
    uint64_t v = 0;
    for (char c : value) {
      if (c > '7' || v > 07777) return base::make_error(non_octal);
      v = v * 8 + static_cast<uint64_t>(c - '0');
    }
    if (v > 07777) return base::make_error(non_octal);
    std::string out;
    for (int shift = 9; shift >= 0; shift -= 3) out += static_cast<char>('0' + ((v >> shift) & 7));
    return out;
  }
  // Symbolic: clauses [ugoa]*([+-=]([rwxXst]*|[ugo]))+ separated by commas.
  size_t i = 0;
  while (true) {
    while (i < value.size() && std::string_view("ugoa").find(value[i]) != std::string_view::npos) ++i;
    if (i >= value.size() || std::string_view("+-=").find(value[i]) == std::string_view::npos)
      return base::make_error("invalid chmod parameter: '" + value + "'");
    while (i < value.size() && std::string_view("+-=").find(value[i]) != std::string_view::npos) {
      ++i;
      if (i < value.size() && std::string_view("ugo").find(value[i]) != std::string_view::npos) {
        ++i;
      } else {
        while (i < value.size() && std::string_view("rwxXst").find(value[i]) != std::string_view::npos) ++i;
      }
    }
    if (i == value.size()) return value;
    if (value[i] != ',') return base::make_error("invalid chmod parameter: '" + value + "'");
    ++i;
  }
}

}  // namespace

// Shared by COPY and ADD; `from` is the --from state or -1 (the build context).
static base::Result<void> dispatch_copy_common(Lowering& lw, StageState& st, const Command& cmd,
                                               CopySpec spec, int from, const std::string& from_text) {
  // Expansion: --chown, --chmod, ADD --checksum, every source, the
  // destination, and heredoc bodies whose delimiter was not quoted.
  TRY_ASSIGN(spec.chown, lw.expand(st, cmd, spec.chown));
  TRY_ASSIGN(spec.chmod, lw.expand(st, cmd, spec.chmod));
  TRY_ASSIGN(spec.checksum, lw.expand(st, cmd, spec.checksum));
  for (auto& s : spec.sources) {
    TRY_ASSIGN(s, lw.expand(st, cmd, s));
  }
  for (auto& h : spec.heredocs) {
    if (!h.expand) continue;
    shell::Lexer raw('\\');  // BuildKit reads heredoc bodies with the default escape
    raw.set_skip_process_quotes(true);  // quotes in a heredoc body are plain text
    auto r = raw.process_word(h.content, lookup_in(st.env));
    if (!r.ok()) return lw.error_at(cmd, r.error().message);
    h.content = r->result;
  }
  TRY_ASSIGN(spec.dest, lw.expand(st, cmd, spec.dest));
  const std::string dest = resolve_keep_slash(st.cwd, spec.dest);

  std::string chmod;
  if (!spec.chmod.empty()) {
    auto m = check_chmod(spec.chmod);
    if (!m.ok()) return lw.error_at(cmd, m.error().message);
    chmod = *m;
  }
  if (!spec.checksum.empty()) {
    if (spec.sources.size() != 1) return lw.error_at(cmd, "checksum can't be specified for multiple sources");
    auto git = parse_git_ref(spec.sources[0]);
    if (!is_http_source(spec.sources[0]) && !(git.ok() && git->has_value()))
      return lw.error_at(cmd, "checksum requires HTTP(S) or Git sources");
  }

  std::vector<ir::Input> inputs{st.fs};
  ir::File file;
  file.link = spec.link && chmod.empty() ? ir::Link::yes : ir::Link::no;
  std::string name = lw.display_text(st, cmd);
  std::string display = lw.display(st, cmd, name);
  ir::OpInfo source_info{display, st.ir_stage, {}};
  auto base_copy = [&](uint32_t slot, std::string src) {
    ir::Copy c;
    c.src_input = slot;
    c.src = std::move(src);
    c.dest = dest;
    c.chown = spec.chown;
    c.chmod = chmod;
    c.exclude_patterns = spec.excludes;
    c.create_dest_path = true;
    return c;
  };

  for (const std::string& src : spec.sources) {
    TRY_ASSIGN(std::optional<GitRef> git, [&]() -> base::Result<std::optional<GitRef>> {
      auto r = parse_git_ref(src);
      if (!r.ok()) return lw.error_at(cmd, r.error().message);
      return std::move(*r);
    }());
    if (git) {
      if (!spec.is_add) return lw.error_at(cmd, "source can't be a git ref for COPY");
      ir::GitSource g;
      g.remote = git->remote;
      g.ref = git->ref;
      g.subdir = git->subdir;
      // The flag and the URL's keep-git-dir= may both be given, but must agree.
      if (spec.keep_git_dir && git->keep_git_dir && *spec.keep_git_dir != *git->keep_git_dir)
        return lw.error_at(cmd, "inconsistent keep-git-dir configuration");
      bool keep = git->keep_git_dir.value_or(spec.keep_git_dir.value_or(false));
      g.keep_git_dir = keep ? ir::KeepGitDir::yes : ir::KeepGitDir::no;
      std::string checksum = spec.checksum;
      if (!checksum.empty() && !git->checksum.empty() && checksum != git->checksum)
        return lw.error_at(cmd, "checksum mismatch \"" + checksum + "\" != \"" + git->checksum + "\"");
      if (!git->checksum.empty()) checksum = git->checksum;
      g.checksum = checksum;
      g.submodules = git->submodules.value_or(true);
      uint32_t op = lw.def().add(std::move(g), {}, source_info);
      ir::Copy c = base_copy(add_input(inputs, {op, 0}), "/");
      // BuildKit also lists non-HTTP git sources among the context paths it
      // transfers; a remote URL never names a context file, so kiln does not.
      file.actions.push_back(std::move(c));
      continue;
    }
    if (is_http_source(src)) {
      if (!spec.is_add) return lw.error_at(cmd, "source can't be a URL for COPY");
      ir::HttpSource h;
      h.url = src;
      std::string_view path = src;
      path = path.substr(path.find("://") + 3);
      size_t slash = path.find('/');
      path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
      path = path.substr(0, std::min(path.find('?'), path.find('#')));
      std::string base = path.empty() ? "/" : base_name(path);
      h.filename = (base == "." || base == "/") ? "__unnamed__" : base;
      if (!spec.checksum.empty()) {
        auto d = base::Digest::parse(spec.checksum);
        if (!d.ok()) return lw.error_at(cmd, d.error().message);
        h.checksum = spec.checksum;
      }
      std::string filename = h.filename;
      uint32_t op = lw.def().add(std::move(h), {}, source_info);
      ir::Copy c = base_copy(add_input(inputs, {op, 0}), "/" + filename);
      c.attempt_unpack = spec.unpack.value_or(false);
      file.actions.push_back(std::move(c));
      continue;
    }
    // A path in the build context or in the --from state.
    std::string src_path = src;
    ir::Copy c;
    if (spec.parents) {
      std::string pattern;
      if (size_t pivot = src_path.find("/./"); pivot != std::string::npos) {
        pattern = src_path.substr(pivot + 3);
        src_path = src_path.substr(0, pivot);
      } else {
        pattern = src_path;
        src_path = "/";
      }
      pattern = join_path("/", pattern);
      c.include_patterns = {pattern.substr(1)};
      if (!contains_wildcards(src_path) && !contains_wildcards(pattern))
        c.required_paths = {join_path("/", join_path(src_path, pattern))};
    }
    ir::Input source_in{};
    if (from >= 0) {
      TRY_ASSIGN(std::optional<ir::Input> in, lw.state_input(from, cmd));
      if (!in)
        return lw.error_at(cmd, "cannot copy from stage \"" + from_text +
                                    "\", it needs to be defined before current stage \"" + st.label + "\"");
      source_in = *in;
    } else {
      source_in = {lw.context_source(), 0};
      st.ctx_paths.insert(join_path("/", src));
    }
    ir::Copy base = base_copy(add_input(inputs, source_in), join_path("/", src_path));
    base.include_patterns = c.include_patterns;
    base.required_paths = c.required_paths;
    base.follow_symlinks = true;
    base.dir_contents_only = true;
    base.allow_wildcard = true;
    base.allow_empty_wildcard = true;
    base.attempt_unpack = spec.unpack.value_or(spec.is_add);
    file.actions.push_back(std::move(base));
  }

  for (const ins::HeredocSource& h : spec.heredocs) {
    ir::File inline_file;
    std::string path = join_path("/", h.path);
    inline_file.actions.push_back(ir::Mkfile{path, 0644, h.content});
    uint32_t op = lw.def().add(std::move(inline_file), {{lw.scratch(), 0}},
                               {"preparing inline document", st.ir_stage, {}});
    file.actions.push_back(base_copy(add_input(inputs, {op, 0}), path));
  }

  ir::OpInfo op_info = lw.info(st, cmd, display);
  uint32_t op = lw.def().add(std::move(file), std::move(inputs), std::move(op_info));
  st.fs = {op, 0};
  return {};
}

base::Result<void> Lowering::dispatch_copy(StageState& st, const Command& cmd, const ins::CopyInstr& copy) {
  CopySpec spec;
  spec.sources = copy.sources;
  spec.heredocs = copy.heredoc_sources;
  spec.dest = copy.dest;
  spec.chown = copy.chown;
  spec.chmod = copy.chmod;
  spec.link = copy.link;
  spec.parents = copy.parents;
  spec.excludes = copy.excludes;
  int from = copy.from.empty() ? -1 : cmd.sources.at(0);
  return dispatch_copy_common(*this, st, cmd, std::move(spec), from, copy.from);
}

base::Result<void> Lowering::dispatch_add(StageState& st, const Command& cmd, const ins::AddInstr& add) {
  CopySpec spec;
  spec.is_add = true;
  spec.sources = add.sources;
  spec.heredocs = add.heredoc_sources;
  spec.dest = add.dest;
  spec.chown = add.chown;
  spec.chmod = add.chmod;
  spec.link = add.link;
  spec.excludes = add.excludes;
  spec.keep_git_dir = add.keep_git_dir;
  spec.checksum = add.checksum;
  spec.unpack = add.unpack;
  return dispatch_copy_common(*this, st, cmd, std::move(spec), -1, "");
}

}  // namespace frontend::lower::detail
