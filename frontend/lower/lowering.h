#pragma once
// Internal to frontend/lower: the state of one lower() call, shared by the
// per-instruction converters (dispatch_*.cc). Not a public interface.

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "frontend/lower/lower.h"
#include "frontend/shell/lexer.h"
#include "solver/ir/ir.h"

namespace frontend::lower::detail {

namespace ins = frontend::instructions;

// Appends `in` to `inputs` unless present; returns its slot.
uint32_t add_input(std::vector<ir::Input>& inputs, ir::Input in);

// An ordered environment: keys unique, replacing keeps the original position
// (BuildKit's EnvList / AddOrReplace). Indexed: set and get are O(1).
class EnvList {
 public:
  void set(const std::string& key, const std::string& value);
  std::optional<std::string> get(std::string_view key) const;
  const std::vector<std::pair<std::string, std::string>>& items() const { return m_items; }
  // Reads this list as it is when called: valid while the list lives.
  shell::EnvLookup lookup() const;

 private:
  std::vector<std::pair<std::string, std::string>> m_items;
  std::unordered_map<std::string, size_t> m_index;  // key → position in m_items
};

// An expansion lookup over `env`, which must outlive it. Borrows: no copy of
// the environment per expanded word.
shell::EnvLookup lookup_in(const ir::EnvMap& env);

// The image config as far as later instructions depend on it.
struct ImageConfig {
  EnvList env;  // persisted ENV (no ARGs)
  std::string working_dir;
  std::string user;
  std::vector<std::string> shell;
};

// One instruction to dispatch, with the states it reads (COPY --from, mounts).
struct Command {
  const ins::Located* located = nullptr;
  bool is_onbuild = false;
  int onbuild_line = 0;  // ONBUILD triggers report the FROM line of the stage running them
  // COPY --from: the referenced state; RUN: one entry per mount (-1 = none).
  std::vector<int> sources;
};

// A build stage, or (registered = false) an image used only by COPY --from /
// RUN --mount from=.
struct StageState {
  const ins::Stage* stage = nullptr;
  bool registered = true;
  std::string base_name;  // FROM argument after expansion, or the image ref
  std::string name;       // lower-cased stage name, or ""
  std::string label;      // name used in display names: name, "stage-N" or ""
  int index = 0;          // Dockerfile position (registered only)
  std::optional<ir::Platform> platform;
  int base = -1;  // the stage this one is built on (FROM <stage>)
  std::vector<Command> commands;
  std::map<int, const ins::Located*> deps;  // state → first command reading it
  bool onbuild_init = false;
  std::optional<BaseImageConfig> image_config;  // from the resolver, once
  bool dispatched = false;
  // Filled while dispatching.
  ir::Input fs{};
  // Expansion and RUN environment: image ENV + ENV + ARG values. Persistent:
  // each RUN keeps a snapshot sharing all unchanged entries.
  ir::EnvMap env;
  std::string cwd = "/";
  std::string user;
  ImageConfig image;
  bool cmd_set = false;
  std::vector<ir::KeyValue> build_args;  // ARGs declared so far, for history
  int cmd_total = 0;
  int cmd_index = 0;
  int ir_stage = -1;
  std::set<std::string> ctx_paths;  // paths of the build context this stage reads
  // Key of the named context standing in for this stage's base (FROM NAME) or,
  // with `replaced`, for the whole stage (a stage called NAME); "" = none.
  std::string named_context;
  bool replaced = false;
};

class Lowering {
 public:
  Lowering(const ins::ParsedDockerfile& df, const LowerOptions& opt);
  base::Result<ir::Definition> run();

  // ---- used by the converters -------------------------------------------
  base::Error error_at(const ins::SourceInfo& src, std::string message, std::string hint = {}) const;
  base::Error error_at(const Command& cmd, std::string message, std::string hint = {}) const;
  // Single-word expansion with the stage's environment.
  base::Result<std::string> expand(const StageState& st, const Command& cmd, const std::string& word) const;
  base::Result<std::vector<std::string>> expand_words(const StageState& st, const Command& cmd,
                                                      const std::string& word) const;
  std::string display(StageState& st, const Command& cmd, const std::string& text);
  ir::OpInfo info(const StageState& st, const Command& cmd, std::string display_name) const;
  uint32_t scratch();
  uint32_t image_source(const std::string& ref, const ir::Platform& platform, ir::OpInfo info);
  uint32_t context_source();
  // The key of the named context called `name`, if one was given.
  std::optional<std::string> named_context_for(const std::string& name) const;
  // A named context's files as a ContextSource (for COPY --from) and as a
  // filesystem (a stage's root): both made once per key.
  uint32_t named_context_source(const std::string& key);
  uint32_t named_context_fs(const std::string& key);
  std::vector<std::string> with_shell(const StageState& st, const std::string& command) const;
  // The filesystem of state `index` as an input: a dispatched stage's result or
  // an image (unregistered state). Stages not yet dispatched return nullopt.
  base::Result<std::optional<ir::Input>> state_input(int index, const Command& cmd);
  // The instruction text as BuildKit shows it: keyword upper-cased.
  static std::string command_text(const Command& cmd);
  // command_text with variables expanded as BuildKit shows steps (display
  // only; the raw text when expansion fails).
  std::string display_text(const StageState& st, const Command& cmd) const;
  const ir::Platform& target_platform() const { return m_target_platform; }
  ir::Definition& def() { return m_def; }
  StageState& state(int i) { return m_states[static_cast<size_t>(i)]; }
  const LowerOptions& options() const { return m_opt; }
  const shell::Lexer& lexer() const { return m_lexer; }
  const EnvList& global_args() const { return m_global_args; }
  const std::vector<std::pair<std::string, std::string>>& proxy_env() const { return m_proxy_env; }
  std::optional<std::string> build_arg(std::string_view name) const;

  // dispatch_*.cc
  base::Result<void> dispatch_run(StageState& st, const Command& cmd, const ins::RunInstr& run);
  base::Result<void> dispatch_copy(StageState& st, const Command& cmd, const ins::CopyInstr& copy);
  base::Result<void> dispatch_add(StageState& st, const Command& cmd, const ins::AddInstr& add);
  base::Result<void> dispatch_config(StageState& st, const Command& cmd);

 private:
  base::Result<void> init_global_args();
  base::Result<void> build_states();
  base::Result<Command> to_command(const ins::Located& located, bool is_onbuild, int stage_line);
  base::Result<int> resolve_from(const std::string& from, bool allow_index, const ins::SourceInfo& src,
                                 const StageState& user);
  base::Result<void> build_dependencies();
  base::Result<void> check_cycles() const;
  base::Result<int> resolve_target() const;
  base::Result<std::set<int>> resolve_reachable(int target);
  std::set<int> reachable_from(int target) const;
  base::Result<void> dispatch_stage(int index);
  base::Result<void> init_stage_base(StageState& st);
  // The resolver's config for an image-based stage (fetched once), or nullopt
  // without a resolver.
  base::Result<std::optional<BaseImageConfig>> image_config(StageState& st);
  base::Result<std::vector<Command>> image_triggers(StageState& st);
  base::Result<void> dispatch(StageState& st, const Command& cmd);
  std::string line_text(int line, const std::string& fallback) const;
  // `# check=` or BUILDKIT_DOCKERFILE_CHECK; with error=true a fired check
  // fails the lowering.
  base::Result<void> check_lint_options();
  base::Result<void> fail_on_checks() const;

  const ins::ParsedDockerfile& m_df;
  const LowerOptions& m_opt;
  shell::Lexer m_lexer;
  ir::Platform m_target_platform;
  ir::Platform m_build_platform;
  EnvList m_global_args;
  std::vector<std::pair<std::string, std::string>> m_build_args;  // deduplicated, last wins
  std::vector<std::pair<std::string, std::string>> m_proxy_env;
  std::vector<StageState> m_states;
  ins::LintOptions m_lint;
  ir::Definition m_def;
  std::optional<uint32_t> m_scratch;
  std::optional<uint32_t> m_context;
  std::map<std::string, uint32_t> m_named_sources;
  std::map<std::string, uint32_t> m_named_fs;
  std::map<std::pair<std::string, std::string>, uint32_t> m_images;
  std::unordered_map<std::string, int> m_stage_by_name;  // registered stages; the last declaration wins
  std::deque<ins::Located> m_image_triggers;  // parsed ONBUILD triggers of base images
};

}  // namespace frontend::lower::detail
