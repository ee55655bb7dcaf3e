// lower(): the global ARG scope, then every needed stage dispatched in
// Dockerfile order, then the build context selection (BuildKit's
// toDispatchState). Stage references and reachability: stage_graph.cc.
#include "frontend/lower/lower.h"

#include <algorithm>
#include <cctype>

#include "base/strings.h"
#include "frontend/lower/lowering.h"
#include "frontend/lower/paths.h"
#include "solver/ir/image_ref.h"
#include "solver/ir/platform.h"

namespace frontend::lower {
namespace detail {
namespace {

// True when expansion returns `word` unchanged: short printable ASCII with
// no `$`, quote or escape character has nothing to expand, unquote or
// unescape. Most words are like that; they skip the expander.
bool expands_to_itself(std::string_view word, char escape) {
  if (word.size() > 4096) return false;
  for (char c : word)
    if (c < 0x20 || c > 0x7e || c == '$' || c == '\'' || c == '"' || c == escape) return false;
  return true;
}

}  // namespace

// ---- EnvList -------------------------------------------------------------------

void EnvList::set(const std::string& key, const std::string& value) {
  auto [it, added] = m_index.try_emplace(key, m_items.size());
  if (!added) {
    m_items[it->second].second = value;
    return;
  }
  m_items.emplace_back(key, value);
}

std::optional<std::string> EnvList::get(std::string_view key) const {
  auto it = m_index.find(std::string(key));
  if (it == m_index.end()) return std::nullopt;
  return m_items[it->second].second;
}

shell::EnvLookup EnvList::lookup() const {
  return [this](std::string_view name) { return get(name); };
}

shell::EnvLookup lookup_in(const ir::EnvMap& env) {
  return [&env](std::string_view name) -> std::optional<std::string> {
    if (const std::string* v = env.find(name)) return *v;
    return std::nullopt;
  };
}

// ---- Lowering: setup -----------------------------------------------------------

Lowering::Lowering(const ins::ParsedDockerfile& df, const LowerOptions& opt)
    : m_df(df), m_opt(opt), m_lexer(df.escape_token) {
  m_target_platform = opt.target_platform.value_or(ir::host_platform());
  m_build_platform = opt.build_platform.value_or(ir::host_platform());
  // Later duplicates win; kept sorted so that insertion order never matters.
  std::map<std::string, std::string> args;
  for (const auto& [k, v] : opt.build_args) args[k] = v;
  m_build_args.assign(args.begin(), args.end());
  std::map<std::string, std::string> proxy;
  for (const auto& [k, v] : m_build_args)
    for (const char* name : {"http_proxy", "https_proxy", "ftp_proxy", "no_proxy", "all_proxy"})
      if (base::ascii_iequals(k, name)) {
        // The executor sets both spellings, as BuildKit's ProxyEnv does.
        std::string upper(name);
        for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        proxy[name] = v;
        proxy[upper] = v;
      }
  m_proxy_env.assign(proxy.begin(), proxy.end());
}

std::optional<std::string> Lowering::build_arg(std::string_view name) const {
  for (const auto& [k, v] : m_build_args)
    if (k == name) return v;
  return std::nullopt;
}

std::string Lowering::line_text(int line, const std::string& fallback) const {
  if (std::string_view text = m_df.line_text(line); !text.empty()) return std::string(text);
  size_t nl = fallback.find('\n');
  return fallback.substr(0, nl);
}

base::Error Lowering::error_at(const ins::SourceInfo& src, std::string message, std::string hint) const {
  base::SourcePos pos{m_df.file, src.start_line, src.column, line_text(src.start_line, src.original)};
  return base::make_error_at(std::move(pos), std::move(message), std::move(hint));
}

base::Error Lowering::error_at(const Command& cmd, std::string message, std::string hint) const {
  if (cmd.is_onbuild) {
    base::SourcePos pos{m_df.file, cmd.onbuild_line, 0, line_text(cmd.onbuild_line, "")};
    return base::make_error_at(std::move(pos), std::move(message), std::move(hint));
  }
  return error_at(cmd.located->src, std::move(message), std::move(hint));
}

base::Result<void> Lowering::init_global_args() {
  // Platform args and TARGETSTAGE exist in the global scope from the start;
  // a --build-arg of the same name overrides them.
  std::string target_stage = m_opt.target;
  if (target_stage.empty() && !m_df.stages.empty()) target_stage = m_df.stages.back().name;
  const ir::Platform& b = m_build_platform;
  const ir::Platform& t = m_target_platform;
  const std::pair<const char*, std::string> defaults[] = {
      {"BUILDPLATFORM", b.str()},       {"BUILDOS", b.os},           {"BUILDOSVERSION", ""},
      {"BUILDARCH", b.architecture},    {"BUILDVARIANT", b.variant}, {"TARGETPLATFORM", t.str()},
      {"TARGETOS", t.os},               {"TARGETOSVERSION", ""},     {"TARGETARCH", t.architecture},
      {"TARGETVARIANT", t.variant},     {"TARGETSTAGE", target_stage}};
  for (const auto& [k, v] : defaults) m_global_args.set(k, build_arg(k).value_or(v));
  // ARGs before the first FROM: a --build-arg wins over the default, which is
  // expanded with the global args declared so far.
  for (const ins::MetaArg& meta : m_df.meta_args) {
    for (const ins::ArgPair& arg : meta.arg.args) {
      std::optional<std::string> value = build_arg(arg.name);
      if (!value && arg.default_value) {
        auto r = m_lexer.process_word(*arg.default_value, m_global_args.lookup());
        if (!r.ok()) return error_at(meta.src, r.error().message);
        value = r->result;
      }
      if (value) m_global_args.set(arg.name, *value);
    }
  }
  return {};
}

// ---- build checks ----------------------------------------------------------

base::Result<void> Lowering::check_lint_options() {
  // The build arg replaces the directive, as in BuildKit.
  if (auto arg = build_arg("BUILDKIT_DOCKERFILE_CHECK")) {
    auto o = ins::parse_check_options(*arg);
    if (!o.ok()) return base::make_error("failed to parse BUILDKIT_DOCKERFILE_CHECK: " + o.error().message);
    m_lint = *o;
    return {};
  }
  auto o = ins::parse_check_options(m_df.check_directive);
  if (!o.ok()) return base::make_error("failed to parse check options: " + o.error().message);
  m_lint = *o;
  return {};
}

base::Result<void> Lowering::fail_on_checks() const {
  if (!m_lint.error) return {};
  std::set<std::string> rules;
  std::string listed;
  for (const ins::CheckFinding& f : m_df.checks) {
    if (!ins::rule_enabled(m_lint, f.rule)) continue;
    rules.insert(f.rule);
    listed += (listed.empty() ? "" : "\n") + m_df.file + ":" + std::to_string(f.line) + ": " + f.rule + ": " + f.message;
  }
  if (rules.empty()) return {};
  std::string names;
  for (const std::string& r : rules) names += (names.empty() ? "" : ", ") + r;
  base::Error e = base::make_error("lint violation found for rules: " + names);
  e.hint = listed;
  return e;
}

// ---- dispatch ----------------------------------------------------------------

std::vector<std::string> Lowering::with_shell(const StageState& st, const std::string& command) const {
  std::vector<std::string> argv = st.image.shell.empty() ? std::vector<std::string>{"/bin/sh", "-c"}
                                                         : st.image.shell;
  argv.push_back(command);
  return argv;
}

uint32_t add_input(std::vector<ir::Input>& inputs, ir::Input in) {
  for (size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i] == in) return static_cast<uint32_t>(i);
  inputs.push_back(in);
  return static_cast<uint32_t>(inputs.size() - 1);
}

std::string Lowering::command_text(const Command& cmd) {
  std::string text = cmd.located->src.original;
  size_t start = text.find_first_not_of(" \t");
  if (start != std::string::npos) text = text.substr(start);
  size_t nl = text.find('\n');
  if (nl != std::string::npos) text = text.substr(0, nl);
  for (char& c : text) {
    if (c == ' ' || c == '\t') break;
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return text;
}

std::string Lowering::display_text(const StageState& st, const Command& cmd) const {
  std::string text = command_text(cmd);
  if (expands_to_itself(text, m_df.escape_token)) return text;
  bool is_run = std::holds_alternative<ins::RunInstr>(cmd.located->instr);
  shell::Lexer lexer(m_df.escape_token);
  // RUN keeps quotes and unset variables as written (the shell sees them).
  lexer.set_raw_quotes(is_run);
  lexer.set_skip_unset_env(is_run);
  auto r = lexer.process_word(text, lookup_in(st.env));
  return r.ok() ? r->result : text;
}

base::Result<std::optional<ir::Input>> Lowering::state_input(int index, const Command& cmd) {
  StageState& src = m_states[static_cast<size_t>(index)];
  if (src.registered) {
    if (!src.dispatched) return std::optional<ir::Input>();
    return std::optional<ir::Input>(src.fs);
  }
  if (src.base_name == "scratch") return std::optional<ir::Input>(ir::Input{scratch(), 0});
  if (auto key = named_context_for(src.base_name))
    return std::optional<ir::Input>(ir::Input{named_context_source(*key), 0});
  auto ref = ir::normalize_image_ref(src.base_name);
  if (!ref.ok())
    return error_at(cmd, "failed to parse stage name \"" + src.base_name + "\": " + ref.error().message);
  ir::OpInfo image_info{"[internal] load " + *ref, -1, {}};
  return std::optional<ir::Input>(ir::Input{image_source(*ref, m_target_platform, image_info), 0});
}

uint32_t Lowering::scratch() {
  if (!m_scratch) m_scratch = m_def.add(ir::Scratch{}, {}, {"", -1, {}});
  return *m_scratch;
}

uint32_t Lowering::context_source() {
  if (!m_context) {
    ir::ContextSource ctx;
    ctx.name = m_opt.context_name;
    ctx.exclude_patterns = m_opt.ignore_patterns;
    m_context = m_def.add(ctx, {}, {"[internal] load build context", -1, {}});
  }
  return *m_context;
}

uint32_t Lowering::image_source(const std::string& ref, const ir::Platform& platform, ir::OpInfo info) {
  auto key = std::make_pair(ref, platform.str());
  if (auto it = m_images.find(key); it != m_images.end()) return it->second;
  uint32_t op = m_def.add(ir::ImageSource{ref, platform}, {}, std::move(info));
  m_images[key] = op;
  return op;
}

std::string Lowering::display(StageState& st, const Command& cmd, const std::string& text) {
  if (st.cmd_total == 0) return text;
  ++st.cmd_index;
  std::string width_fmt = std::to_string(st.cmd_total);
  std::string index = std::to_string(st.cmd_index);
  while (index.size() < width_fmt.size()) index.insert(index.begin(), ' ');
  std::string out = "[";
  if (!st.label.empty()) out += st.label + " ";
  out += index + "/" + width_fmt + "] ";
  if (cmd.is_onbuild) out += "ONBUILD ";
  return out + text;
}

ir::OpInfo Lowering::info(const StageState& st, const Command& cmd, std::string display_name) const {
  ir::OpInfo i;
  i.display_name = std::move(display_name);
  i.stage = st.ir_stage;
  int line = cmd.is_onbuild ? cmd.onbuild_line : cmd.located->src.start_line;
  int end = cmd.is_onbuild ? cmd.onbuild_line : cmd.located->src.end_line;
  i.range = {m_df.file, line, end};
  return i;
}

base::Result<std::string> Lowering::expand(const StageState& st, const Command& cmd,
                                           const std::string& word) const {
  if (expands_to_itself(word, m_df.escape_token)) return word;
  auto r = m_lexer.process_word(word, lookup_in(st.env));
  if (!r.ok()) return error_at(cmd, r.error().message);
  return std::move(r->result);
}

base::Result<std::vector<std::string>> Lowering::expand_words(const StageState& st, const Command& cmd,
                                                              const std::string& word) const {
  auto r = m_lexer.process_words(word, lookup_in(st.env));
  if (!r.ok()) return error_at(cmd, r.error().message);
  return std::move(*r);
}

base::Result<void> Lowering::init_stage_base(StageState& st) {
  const ins::Stage& stage = *st.stage;
  ir::OpInfo from_info{"", st.ir_stage, {m_df.file, stage.src.start_line, stage.src.end_line}};
  if (st.base >= 0) {
    const StageState& base = m_states[static_cast<size_t>(st.base)];
    st.fs = base.fs;
    st.env = base.env;
    st.cwd = base.cwd;
    st.user = base.user;
    st.image = base.image;  // its ONBUILD triggers ran in resolve_reachable, not again here
    st.platform = base.platform;
    st.build_args.insert(st.build_args.end(), base.build_args.begin(), base.build_args.end());
    return {};
  }
  ir::Platform platform = st.platform.value_or(m_target_platform);
  st.platform = platform;
  if (!st.named_context.empty()) {
    // The context's files, and an empty image config (BuildKit's named
    // local contexts carry none).
    st.fs = {named_context_fs(st.named_context), 0};
  } else if (st.base_name == "scratch") {
    st.fs = {scratch(), 0};
  } else {
    auto ref = ir::normalize_image_ref(st.base_name);
    if (!ref.ok())
      return error_at(stage.src, "failed to parse stage name \"" + st.base_name + "\": " + ref.error().message);
    TRY_ASSIGN(std::optional<BaseImageConfig> cfg, image_config(st));
    if (cfg) {
      for (const std::string& kv : cfg->env) {
        size_t eq = kv.find('=');
        st.image.env.set(kv.substr(0, eq), eq == std::string::npos ? "" : kv.substr(eq + 1));
      }
      st.image.working_dir = cfg->working_dir;
      st.image.user = cfg->user;
      st.image.shell = cfg->shell;
    }
    Command from_cmd;
    from_cmd.onbuild_line = stage.src.start_line;
    from_info.display_name = display(st, from_cmd, "FROM " + *ref);
    st.fs = {image_source(*ref, platform, from_info), 0};
  }
  if (std::string path = ir::default_path_env(platform.os); !st.image.env.get("PATH") && !path.empty())
    st.image.env.set("PATH", path);
  for (const auto& [k, v] : st.image.env.items()) st.env.set(k, v);
  if (!st.image.working_dir.empty()) {
    st.image.working_dir = is_abs_path(st.image.working_dir) ? clean_path(st.image.working_dir)
                                                        : join_path("/", st.image.working_dir);
    st.cwd = st.image.working_dir;
  }
  st.user = st.image.user;
  return {};
}

base::Result<void> Lowering::dispatch_stage(int index) {
  StageState& st = m_states[static_cast<size_t>(index)];
  st.dispatched = true;
  ir::Stage ir_stage;
  ir_stage.name = st.name;
  ir_stage.index = st.index;
  ir_stage.base = st.base_name;
  st.ir_stage = static_cast<int>(m_def.stages.size());
  m_def.stages.push_back(ir_stage);
  // Display numbering: the FROM of an image counts, then every step that
  // makes a layer (RUN, COPY, ADD, WORKDIR) and every ONBUILD trigger.
  st.cmd_total = (st.base < 0 && st.base_name != "scratch") ? 1 : 0;
  for (const Command& cmd : st.commands) {
    const auto& instr = cmd.located->instr;
    if (cmd.is_onbuild || std::holds_alternative<ins::RunInstr>(instr) ||
        std::holds_alternative<ins::CopyInstr>(instr) || std::holds_alternative<ins::AddInstr>(instr) ||
        std::holds_alternative<ins::WorkdirInstr>(instr))
      ++st.cmd_total;
  }
  TRY(init_stage_base(st));
  if (!st.replaced)
    for (const Command& cmd : st.commands) TRY(dispatch(st, cmd));
  ir::Stage& out = m_def.stages[static_cast<size_t>(st.ir_stage)];
  out.terminal = st.fs.op;
  out.platform = *st.platform;
  return {};
}

base::Result<void> Lowering::dispatch(StageState& st, const Command& cmd) {
  const auto& instr = cmd.located->instr;
  if (const auto* run = std::get_if<ins::RunInstr>(&instr)) return dispatch_run(st, cmd, *run);
  if (const auto* copy = std::get_if<ins::CopyInstr>(&instr)) return dispatch_copy(st, cmd, *copy);
  if (const auto* add = std::get_if<ins::AddInstr>(&instr)) return dispatch_add(st, cmd, *add);
  return dispatch_config(st, cmd);
}

base::Result<ir::Definition> Lowering::run() {
  if (m_df.stages.empty()) {
    const char* hint = "a build stage starts with FROM <image>; ARGs before it only declare build arguments";
    if (!m_df.meta_args.empty())
      return error_at(m_df.meta_args.front().src, "dockerfile contains no stages to build", hint);
    return base::make_error("dockerfile contains no stages to build");
  }
  TRY(check_lint_options());
  TRY(init_global_args());
  TRY(build_states());
  TRY_ASSIGN(int target, resolve_target());
  TRY(build_dependencies());
  // A single state overall means a single-stage build: no stage name in display names.
  if (m_states.size() == 1) m_states[0].label.clear();
  TRY_ASSIGN(std::set<int> reachable, resolve_reachable(target));
  size_t registered = m_df.stages.size();
  // About one op per instruction (WORKDIR and inline files add one more):
  // reserving up front spares the large tables their regrowth copies.
  size_t expected = 16;
  for (size_t i = 0; i < registered; ++i)
    if (reachable.count(static_cast<int>(i))) expected += 1 + m_states[i].commands.size() * 5 / 4;
  m_def.ops.reserve(expected);
  m_def.inputs.reserve(expected);
  m_def.info.reserve(expected);
  for (size_t i = 0; i < registered; ++i)
    if (reachable.count(static_cast<int>(i))) TRY(dispatch_stage(static_cast<int>(i)));
  // The build context is transferred once, narrowed to the paths the
  // dispatched stages read; "/" (COPY . or a bind mount of the root) means all.
  if (m_context) {
    std::set<std::string> paths;
    for (size_t i = 0; i < registered; ++i)
      if (m_states[i].dispatched) paths.insert(m_states[i].ctx_paths.begin(), m_states[i].ctx_paths.end());
    auto& ctx = std::get<ir::ContextSource>(m_def.ops[*m_context]);
    if (!paths.count("/"))
      for (const std::string& p : paths) ctx.include_patterns.push_back(join_path(".", p));
    std::sort(ctx.include_patterns.begin(), ctx.include_patterns.end());
  }
  const StageState& t = m_states[static_cast<size_t>(target)];
  m_def.terminal = t.fs;
  m_def.target = t.name;
  TRY(ir::validate(m_def));
  TRY(fail_on_checks());
  return std::move(m_def);
}

}  // namespace detail

base::Result<ir::Definition> lower(const instructions::ParsedDockerfile& dockerfile,
                                   const LowerOptions& options) {
  detail::Lowering lowering(dockerfile, options);
  return lowering.run();
}

}  // namespace frontend::lower
