// RUN: the process, its mounts and BuildKit's heredoc handling.
#include <algorithm>

#include "frontend/instructions/run_mount.h"
#include "frontend/lower/lowering.h"
#include "frontend/lower/paths.h"

namespace frontend::lower::detail {
namespace {

// BuildKit runs a RUN whose whole command is one heredoc ("RUN <<EOF") by
// itself; anything else ("RUN sh <<EOF", two heredocs) goes to the shell as
// text. Matches `^(\d*)<<(-?)(\S+)$` where the word is a single shell word.
bool is_single_heredoc(const shell::Lexer& lexer, const std::string& command) {
  size_t i = 0;
  while (i < command.size() && std::isdigit(static_cast<unsigned char>(command[i]))) ++i;
  if (command.compare(i, 2, "<<") != 0) return false;
  i += 2;
  if (i < command.size() && command[i] == '-') ++i;
  std::string rest = command.substr(i);
  if (rest.empty() || rest.find('<') != std::string::npos) return false;
  auto words = lexer.process_words(rest, [](std::string_view) { return std::optional<std::string>(); });
  return words.ok() && words->size() == 1;
}

// <<- strips leading tabs from every body line.
std::string chomp(const std::string& data) {
  std::string out;
  bool line_start = true;
  for (char c : data) {
    if (line_start && c == '\t') continue;
    line_start = c == '\n';
    out += c;
  }
  return out;
}

// The first line of a heredoc body, "..." when there are more (display only).
std::string summarize(const std::string& doc) {
  size_t b = doc.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = doc.find_last_not_of(" \t\r\n");
  std::string trimmed = doc.substr(b, e - b + 1);
  size_t nl = trimmed.find('\n');
  return nl == std::string::npos ? trimmed : trimmed.substr(0, nl) + "...";
}

ir::CacheSharing to_ir(ins::CacheSharing s) {
  switch (s) {
    case ins::CacheSharing::shared: return ir::CacheSharing::shared;
    case ins::CacheSharing::private_: return ir::CacheSharing::private_;
    case ins::CacheSharing::locked: return ir::CacheSharing::locked;
  }
  return ir::CacheSharing::shared;
}

}  // namespace

base::Result<void> Lowering::dispatch_run(StageState& st, const Command& cmd, const ins::RunInstr& run) {
  ir::Exec exec;
  std::vector<ir::Input> inputs{st.fs};
  std::string name = display_text(st, cmd);
  std::vector<std::string> args = run.command.args;
  const auto& heredocs = run.command.heredocs;
  if (!heredocs.empty()) {
    if (args.size() != 1 || run.command.form != ins::CommandForm::shell)
      return error_at(cmd, "parsing produced an invalid run command");
    if (is_single_heredoc(m_lexer, args[0])) {
      const ast::Heredoc& doc = heredocs.front();
      std::string data = doc.chomp ? chomp(doc.content) : doc.content;
      if (data.rfind("#!", 0) == 0) {
        // A script with a shebang: written to a file of its own, mounted
        // read-only under /dev/pipes and executed by path.
        ir::File file;
        file.actions.push_back(ir::Mkfile{"/" + doc.name, 0755, data});
        uint32_t f = m_def.add(std::move(file), {{scratch(), 0}}, {"preparing inline document", st.ir_stage, {}});
        ir::Mount m;
        m.type = ir::MountType::bind;
        m.target = "/dev/pipes";
        m.input = add_input(inputs, {f, 0});
        m.source = "/";
        m.readonly = ir::ReadOnly::yes;
        exec.mounts.push_back(std::move(m));
        args = {"/dev/pipes/" + doc.name};
      } else {
        args = {data};
      }
      name += " (" + summarize(doc.content) + ")";
    } else {
      std::string full = args[0];
      for (const ast::Heredoc& doc : heredocs) full += "\n" + doc.content + doc.name;
      args = {full};
    }
  }
  if (run.command.form == ins::CommandForm::shell) {
    std::string joined;
    for (size_t i = 0; i < args.size(); ++i) joined += (i ? " " : "") + args[i];
    exec.argv = with_shell(st, joined);
  } else {
    exec.argv = args;
  }
  if (exec.argv.empty()) return error_at(cmd, "RUN needs a command");

  // Mounts: re-read each spec with its values expanded (all but from=).
  auto expander = [&](const std::string& word) -> base::Result<std::string> {
    auto r = m_lexer.process_word(word, lookup_in(st.env));
    if (!r.ok()) return base::make_error(r.error().message);
    return std::move(r->result);
  };
  int ssh_count = 0;
  std::string first_ssh_target;
  for (size_t i = 0; i < run.mounts.size(); ++i) {
    auto parsed = ins::parse_run_mount(run.mounts[i].spec, expander);
    if (!parsed.ok()) return error_at(cmd, parsed.error().message, parsed.error().hint);
    const ins::RunMount& rm = *parsed;
    ir::Mount m;
    m.mode = rm.mode;
    m.uid = rm.uid;
    m.gid = rm.gid;
    m.readonly = rm.read_only ? ir::ReadOnly::yes : ir::ReadOnly::no;
    if (rm.type == ins::MountType::secret) {
      m.type = ir::MountType::secret;
      m.id = !rm.source.empty() ? rm.source : rm.id;
      if (m.id.empty()) {
        if (rm.target.empty()) return error_at(cmd, "one of source, target required");
        m.id = base_name(rm.target);
      }
      m.target = rm.target;
      if (m.target.empty() && !rm.env) m.target = "/run/secrets/" + base_name(m.id);
      m.env = rm.env.value_or("");
      m.required = rm.required;
      if (!m.mode) m.mode = 0400;
      m.source.clear();
      exec.mounts.push_back(std::move(m));
      continue;
    }
    if (rm.type == ins::MountType::ssh) {
      if (!rm.source.empty()) return error_at(cmd, "ssh does not support source");
      m.type = ir::MountType::ssh;
      m.id = rm.id.empty() ? "default" : rm.id;
      m.target = rm.target.empty() ? "/run/buildkit/ssh_agent." + std::to_string(ssh_count) : rm.target;
      if (ssh_count++ == 0) first_ssh_target = m.target;
      m.required = rm.required;
      if (!m.mode) m.mode = 0600;
      m.source.clear();
      exec.mounts.push_back(std::move(m));
      continue;
    }
    m.target = rm.target;
    if (!is_abs_path(clean_path(m.target))) m.target = join_path(join_path("/", st.cwd), m.target);
    else m.target = clean_path(m.target);
    if (m.target == "/") return error_at(cmd, "invalid mount target \"/\"");
    if (rm.type == ins::MountType::tmpfs) {
      m.type = ir::MountType::tmpfs;
      m.size = rm.size_bytes ? static_cast<uint64_t>(*rm.size_bytes) : 0;
      m.readonly = ir::ReadOnly::no;
      m.source.clear();
      exec.mounts.push_back(std::move(m));
      continue;
    }
    m.type = rm.type == ins::MountType::cache ? ir::MountType::cache : ir::MountType::bind;
    m.source = join_path("/", rm.source);
    int source_state = i < cmd.sources.size() ? cmd.sources[i] : -1;
    if (source_state >= 0) {
      TRY_ASSIGN(std::optional<ir::Input> in, state_input(source_state, cmd));
      if (!in)
        return error_at(cmd, "cannot mount from stage \"" + rm.from + "\" to \"" + rm.target +
                                 "\", stage needs to be defined before current command");
      m.input = add_input(inputs, *in);
    } else if (m.type == ir::MountType::bind) {
      m.input = add_input(inputs, {context_source(), 0});
      st.ctx_paths.insert(m.source);
    }
    if (m.type == ir::MountType::cache) {
      std::string id = rm.id.empty() ? rm.target : rm.id;
      if (auto ns = build_arg("BUILDKIT_CACHE_MOUNT_NS"); ns && !ns->empty()) id = *ns + "/" + id;
      m.id = id;
      m.sharing = rm.sharing ? to_ir(*rm.sharing) : ir::CacheSharing::shared;
    }
    exec.mounts.push_back(std::move(m));
  }
  std::stable_sort(exec.mounts.begin(), exec.mounts.end(),
                   [](const ir::Mount& a, const ir::Mount& b) { return a.target < b.target; });

  exec.env = st.env;  // a snapshot: O(1), shares the entries
  if (!first_ssh_target.empty() && !exec.env.find("SSH_AUTH_SOCK")) exec.env.set("SSH_AUTH_SOCK", first_ssh_target);
  exec.proxy_env = m_proxy_env;
  exec.cwd = st.cwd;
  exec.user = st.user;
  switch (run.network) {
    case ins::NetworkMode::default_: exec.network = m_opt.default_network; break;
    case ins::NetworkMode::none: exec.network = ir::NetworkMode::none; break;
    case ins::NetworkMode::host: exec.network = ir::NetworkMode::host; break;
  }
  for (const auto& device : run.devices) exec.devices.push_back(ir::Device{device.name, device.required});
  exec.security = run.security == ins::SecurityMode::insecure ? ir::SecurityMode::insecure
                                                               : ir::SecurityMode::sandbox;
  uint32_t op = m_def.add(std::move(exec), std::move(inputs), info(st, cmd, display(st, cmd, name)));
  st.fs = {op, 0};
  return {};
}

}  // namespace frontend::lower::detail
