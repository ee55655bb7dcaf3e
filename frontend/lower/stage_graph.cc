// The stage graph: FROM bases, COPY --from / RUN --mount from= dependencies,
// cycles, --target and reachability, and the ONBUILD triggers that add
// dependencies (BuildKit's buildDispatchStates, buildStageDependencyGraph and
// resolveStages).
#include <algorithm>
#include <cctype>
#include <functional>

#include "base/strings.h"
#include "frontend/instructions/suggest.h"
#include "frontend/lower/lowering.h"
#include "frontend/parser/parser.h"
#include "solver/ir/image_ref.h"

namespace frontend::lower::detail {
namespace {

// Go's strconv.Atoi: an optional sign and decimal digits.
std::optional<long long> parse_atoi(std::string_view s) {
  size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  if (i == s.size() || s.size() - i > 18) return std::nullopt;
  for (size_t k = i; k < s.size(); ++k)
    if (!std::isdigit(static_cast<unsigned char>(s[k]))) return std::nullopt;
  long long v = std::stoll(std::string(s.substr(i)));
  return s[0] == '-' ? -v : v;
}

}  // namespace

base::Result<void> Lowering::build_states() {
  std::map<std::string, int> by_name;
  for (const ins::Stage& stage : m_df.stages) {
    auto r = m_lexer.process_word(stage.base_name, m_global_args.lookup());
    if (!r.ok()) return error_at(stage.src, r.error().message);
    if (r->result.empty())
      return error_at(stage.src, "base name (" + stage.base_name + ") should not be blank",
                      r->unmatched.empty() ? ""
                                           : r->unmatched.front() + " has no value; give its ARG before the first "
                                                                    "FROM a default or pass --build-arg " +
                                                 r->unmatched.front() + "=<image>");
    StageState st;
    st.stage = &stage;
    st.base_name = r->result;
    st.name = stage.name;
    st.index = stage.index;
    st.label = stage.name.empty() ? "stage-" + std::to_string(stage.index) : stage.name;
    if (!stage.platform.empty()) {
      auto p = m_lexer.process_word(stage.platform, m_global_args.lookup());
      if (!p.ok())
        return error_at(stage.src, "failed to process arguments for platform " + stage.platform + ": " +
                                       p.error().message);
      if (p->result.empty())
        return error_at(stage.src, "empty platform value from expression " + stage.platform);
      auto parsed = ir::parse_platform(p->result);
      if (!parsed.ok())
        return error_at(stage.src, "failed to parse platform " + stage.platform + ": " +
                                       parsed.error().message);
      st.platform = *parsed;
    }
    // A named context called like the stage replaces it whole; otherwise
    // FROM <name> refers to a stage declared earlier (exact spelling of the
    // lower-cased name); anything else is an image, or the named context of
    // that name.
    if (auto key = st.name.empty() ? std::nullopt : named_context_for(st.name)) {
      st.named_context = *key;
      st.replaced = true;
    } else if (auto it = by_name.find(st.base_name); it != by_name.end()) {
      st.base = it->second;
    } else if (st.base_name != "scratch") {
      if (auto base_key = named_context_for(st.base_name)) st.named_context = *base_key;
    }
    int idx = static_cast<int>(m_states.size());
    if (!st.name.empty()) {
      by_name[st.name] = idx;
      m_stage_by_name[st.name] = idx;
    }
    m_states.push_back(std::move(st));
  }
  return {};
}

// ---- dependencies ----------------------------------------------------------

base::Result<int> Lowering::resolve_from(const std::string& from, bool allow_index,
                                         const ins::SourceInfo& src, const StageState& user) {
  (void)user;
  size_t registered = m_df.stages.size();
  if (allow_index) {
    if (auto idx = parse_atoi(from)) {
      if (*idx < 0 || static_cast<size_t>(*idx) >= registered)
        return error_at(src, "invalid stage index " + std::to_string(*idx),
                        "the file has " + std::to_string(registered) + " stage(s), numbered from 0");
      return static_cast<int>(*idx);
    }
  }
  if (auto it = m_stage_by_name.find(base::ascii_lower(from)); it != m_stage_by_name.end()) return it->second;
  for (size_t i = registered; i < m_states.size(); ++i)
    if (m_states[i].base_name == from) return static_cast<int>(i);
  StageState image;
  image.registered = false;
  image.base_name = from;
  m_states.push_back(std::move(image));
  return static_cast<int>(m_states.size() - 1);
}

base::Result<Command> Lowering::to_command(const ins::Located& located, bool is_onbuild, int stage_line) {
  Command cmd;
  cmd.located = &located;
  cmd.is_onbuild = is_onbuild;
  cmd.onbuild_line = stage_line;
  const StageState dummy;
  if (const auto* copy = std::get_if<ins::CopyInstr>(&located.instr); copy && !copy->from.empty()) {
    auto r = m_lexer.process_word(copy->from, [](std::string_view) { return std::optional<std::string>(); });
    if (!r.ok() || r->result != copy->from)
      return error_at(cmd,
                      "variable expansion is not supported for --from, define a new stage with FROM "
                      "using ARG from global scope as a workaround");
    TRY_ASSIGN(int src, resolve_from(copy->from, true, located.src, dummy));
    cmd.sources.push_back(src);
  }
  if (const auto* run = std::get_if<ins::RunInstr>(&located.instr)) {
    for (const ins::RunMount& m : run->mounts) {
      if (m.from.empty() || m.type == ins::MountType::tmpfs || m.type == ins::MountType::secret ||
          m.type == ins::MountType::ssh) {
        cmd.sources.push_back(-1);
        continue;
      }
      TRY_ASSIGN(int src, resolve_from(m.from, false, located.src, dummy));
      cmd.sources.push_back(src);
    }
  }
  return cmd;
}

base::Result<void> Lowering::build_dependencies() {
  size_t registered = m_df.stages.size();
  for (size_t i = 0; i < registered; ++i) {
    const ins::Stage& stage = *m_states[i].stage;
    for (const ins::Located& located : stage.commands) {
      TRY_ASSIGN(Command cmd, to_command(located, false, 0));
      for (int src : cmd.sources)
        if (src >= 0) m_states[i].deps.emplace(src, &located);
      m_states[i].commands.push_back(std::move(cmd));
    }
  }
  return check_cycles();
}

base::Result<void> Lowering::check_cycles() const {
  std::set<int> visited;
  std::set<int> path;
  const ins::Located* closing = nullptr;
  std::function<bool(int)> visit = [&](int s) -> bool {
    if (visited.count(s)) return false;
    visited.insert(s);
    path.insert(s);
    for (const auto& [dep, located] : m_states[static_cast<size_t>(s)].deps) {
      if (path.count(dep) || visit(dep)) {
        if (!closing) closing = located;
        return true;
      }
    }
    path.erase(s);
    return false;
  };
  for (size_t i = 0; i < m_states.size(); ++i) {
    if (visit(static_cast<int>(i))) {
      std::string name = m_states[i].label;
      Command cmd;
      cmd.located = closing;
      return error_at(cmd, "circular dependency detected on stage: " + name,
                      "COPY --from and RUN --mount from= may only use stages that do not depend on this one");
    }
  }
  return {};
}

base::Result<int> Lowering::resolve_target() const {
  if (m_opt.target.empty()) return static_cast<int>(m_df.stages.size()) - 1;
  std::string want = base::ascii_lower(m_opt.target);
  int found = -1;
  std::vector<std::string_view> names;
  for (size_t i = 0; i < m_df.stages.size(); ++i) {
    if (!m_states[i].name.empty()) names.push_back(m_states[i].name);
    if (m_states[i].name == want) found = static_cast<int>(i);
  }
  if (found >= 0) return found;
  std::string list;
  for (auto n : names) list += (list.empty() ? "" : ", ") + std::string(n);
  std::string hint = names.empty() ? "the Dockerfile has no named stages; name one with FROM <image> AS <name>"
                                   : "available stages: " + list;
  std::string close = instructions::suggest(m_opt.target, names, false);
  if (!close.empty()) hint = "did you mean " + close + "? " + hint;
  base::Error e = base::make_error("target stage \"" + m_opt.target + "\" could not be found");
  e.hint = std::move(hint);
  return e;
}

std::set<int> Lowering::reachable_from(int target) const {
  std::set<int> seen;
  std::vector<int> todo{target};
  while (!todo.empty()) {
    int s = todo.back();
    todo.pop_back();
    if (!seen.insert(s).second) continue;
    const StageState& st = m_states[static_cast<size_t>(s)];
    if (st.base >= 0) todo.push_back(st.base);
    for (const auto& [dep, located] : st.deps) todo.push_back(dep);
  }
  return seen;
}

base::Result<std::set<int>> Lowering::resolve_reachable(int target) {
  // ONBUILD triggers of a base stage run at the start of the stages built on
  // it; they may reference further stages, so repeat until nothing new appears.
  while (true) {
    std::set<int> reachable = reachable_from(target);
    bool new_deps = false;
    for (int s : reachable) {
      StageState& st = m_states[static_cast<size_t>(s)];
      if (!st.registered || st.onbuild_init) continue;
      st.onbuild_init = true;
      if (st.base < 0) {
        // Triggers stored in a base image's config.
        TRY_ASSIGN(std::vector<Command> triggers, image_triggers(st));
        for (const Command& cmd : triggers)
          for (int src : cmd.sources)
            if (src >= 0) {
              st.deps.emplace(src, cmd.located);
              new_deps = true;
            }
        st.commands.insert(st.commands.begin(), triggers.begin(), triggers.end());
        continue;
      }
      std::vector<Command> triggers;
      const ins::Stage& base_stage = *m_states[static_cast<size_t>(st.base)].stage;
      for (const ins::Located& located : base_stage.commands) {
        const auto* ob = std::get_if<ins::OnbuildInstr>(&located.instr);
        if (!ob || ob->trigger.empty()) continue;
        TRY_ASSIGN(Command cmd, to_command(ob->trigger.front(), true, st.stage->src.start_line));
        for (int src : cmd.sources)
          if (src >= 0) {
            st.deps.emplace(src, &ob->trigger.front());
            new_deps = true;
          }
        triggers.push_back(std::move(cmd));
      }
      st.commands.insert(st.commands.begin(), triggers.begin(), triggers.end());
    }
    if (new_deps) TRY(check_cycles());
    if (!new_deps) return reachable;
  }
}


base::Result<std::optional<BaseImageConfig>> Lowering::image_config(StageState& st) {
  if (!m_opt.resolve_image || st.base >= 0 || st.base_name == "scratch" || !st.named_context.empty())
    return std::optional<BaseImageConfig>();
  if (st.image_config) return st.image_config;
  const ins::Stage& stage = *st.stage;
  auto ref = ir::normalize_image_ref(st.base_name);
  if (!ref.ok())
    return error_at(stage.src, "failed to parse stage name \"" + st.base_name + "\": " + ref.error().message);
  auto cfg = m_opt.resolve_image(*ref, st.platform.value_or(m_target_platform));
  if (!cfg.ok()) return error_at(stage.src, st.base_name + ": " + cfg.error().message);
  st.image_config = std::move(*cfg);
  return st.image_config;
}

base::Result<std::vector<Command>> Lowering::image_triggers(StageState& st) {
  TRY_ASSIGN(std::optional<BaseImageConfig> cfg, image_config(st));
  std::vector<Command> out;
  if (!cfg) return out;
  for (const std::string& trigger : cfg->onbuild) {
    // Each trigger is one instruction in Dockerfile syntax; errors point at
    // the FROM line of the stage that runs it.
    auto fail = [&](const base::Error& e) {
      return error_at(st.stage->src, "ONBUILD trigger of " + st.base_name + " (" + trigger + "): " + e.message);
    };
    auto doc = parser::parse_dockerfile(trigger, m_df.file);
    if (!doc.ok()) return fail(doc.error());
    if (doc->instructions.size() != 1)
      return fail(base::make_error("onbuild trigger should be a single expression"));
    auto located = ins::parse_instruction(doc->instructions.front(), *doc);
    if (!located.ok()) return fail(located.error());
    m_image_triggers.push_back(std::move(*located));
    TRY_ASSIGN(Command cmd, to_command(m_image_triggers.back(), true, st.stage->src.start_line));
    out.push_back(std::move(cmd));
  }
  return out;
}


}  // namespace frontend::lower::detail
