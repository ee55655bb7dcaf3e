// Instructions that edit the image config (and the state later steps see):
// ENV LABEL ARG WORKDIR USER CMD ENTRYPOINT SHELL EXPOSE VOLUME STOPSIGNAL
// HEALTHCHECK ONBUILD MAINTAINER. Each becomes a ConfigChange op; WORKDIR also
// creates its directory.
#include <algorithm>
#include <cctype>
#include <set>

#include "base/strings.h"
#include "frontend/lower/lowering.h"
#include "frontend/lower/paths.h"
#include "solver/ir/port_spec.h"

namespace frontend::lower::detail {
namespace {

// Args that BuildKit keeps out of the RUN environment.
bool is_non_env_arg(std::string_view name) {
  return name == "BUILDKIT_SBOM_SCAN_CONTEXT" || name == "BUILDKIT_SBOM_SCAN_STAGE";
}

bool valid_signal(const std::string& raw) {
  bool numeric = !raw.empty();
  size_t i = (raw[0] == '-' || raw[0] == '+') ? 1 : 0;
  if (i == raw.size()) numeric = false;
  for (size_t k = i; k < raw.size(); ++k) numeric = numeric && std::isdigit(static_cast<unsigned char>(raw[k]));
  if (numeric) return raw.find_first_not_of("+-0") != std::string::npos;
  std::string name = base::ascii_upper(raw);
  if (name.rfind("SIG", 0) == 0) name = name.substr(3);
  static const std::set<std::string> k_names = {
      "ABRT", "ALRM", "BUS",  "CHLD", "CLD",    "CONT", "FPE",  "HUP",  "ILL",  "INT",    "IO",
      "IOT",  "KILL", "PIPE", "POLL", "PROF",   "PWR",  "QUIT", "SEGV", "STKFLT", "STOP", "SYS",
      "TERM", "TRAP", "TSTP", "TTIN", "TTOU",   "URG",  "USR1", "USR2", "VTALRM", "WINCH", "XCPU",
      "XFSZ", "RTMIN", "RTMAX"};
  if (k_names.count(name)) return true;
  for (int n = 1; n <= 15; ++n)
    if (name == "RTMIN+" + std::to_string(n) || name == "RTMAX-" + std::to_string(n)) return true;
  return false;
}

}  // namespace

base::Result<void> Lowering::dispatch_config(StageState& st, const Command& cmd) {
  const auto& instr = cmd.located->instr;
  ir::ConfigChange change;
  auto emit = [&](ir::ConfigChange c, std::string display_name) {
    uint32_t op = m_def.add(std::move(c), {st.fs}, info(st, cmd, std::move(display_name)));
    st.fs = {op, 0};
  };
  // Config edits are shown as written; only WORKDIR's directory step (a
  // layer, as in BuildKit) shows the expanded path.
  const std::string text = command_text(cmd);

  if (const auto* env = std::get_if<ins::EnvInstr>(&instr)) {
    // Every pair is expanded with the environment from before this ENV.
    change.kind = ir::ConfigKind::env;
    for (const auto& kv : env->pairs) {
      TRY_ASSIGN(std::string key, expand(st, cmd, kv.key));
      TRY_ASSIGN(std::string value, expand(st, cmd, kv.value));
      change.pairs.push_back({key, value});
    }
    for (const auto& kv : change.pairs) {
      st.env.set(kv.key, *kv.value);
      st.image.env.set(kv.key, *kv.value);
    }
  } else if (const auto* label = std::get_if<ins::LabelInstr>(&instr)) {
    change.kind = ir::ConfigKind::label;
    for (const auto& kv : label->pairs) {
      TRY_ASSIGN(std::string key, expand(st, cmd, kv.key));
      TRY_ASSIGN(std::string value, expand(st, cmd, kv.value));
      change.pairs.push_back({key, value});
    }
  } else if (const auto* arg = std::get_if<ins::ArgInstr>(&instr)) {
    change.kind = ir::ConfigKind::arg;
    for (const ins::ArgPair& a : arg->args) {
      std::optional<std::string> value = build_arg(a.name);
      if (!value && a.default_value) {
        TRY_ASSIGN(std::string v, expand(st, cmd, *a.default_value));
        value = v;
      } else if (!value) {
        value = m_global_args.get(a.name);  // `ARG name` takes the global value
      }
      if (value && !is_non_env_arg(a.name)) st.env.set(a.name, *value);
      st.build_args.push_back({a.name, value});
      change.pairs.push_back({a.name, value});
    }
  } else if (const auto* wd = std::get_if<ins::WorkdirInstr>(&instr)) {
    TRY_ASSIGN(std::string path, expand(st, cmd, wd->path));
    if (path.empty()) return error_at(cmd, "normalizing workdir: cannot normalize nothing");
    std::string dir = is_abs_path(path) ? clean_path(path) : join_path(join_path("/", st.cwd), path);
    st.cwd = dir;
    st.image.working_dir = dir;
    change.kind = ir::ConfigKind::workdir;
    change.values = {dir};
    emit(std::move(change), text);
    if (dir != "/") {
      // The directory is created (with parents, owned by the current USER)
      // as its own step.
      ir::File mkdir;
      mkdir.actions.push_back(ir::Mkdir{dir, 0755, true, st.image.user});
      uint32_t op = m_def.add(std::move(mkdir), {st.fs}, info(st, cmd, display(st, cmd, display_text(st, cmd))));
      st.fs = {op, 0};
    }
    return {};
  } else if (const auto* user = std::get_if<ins::UserInstr>(&instr)) {
    TRY_ASSIGN(std::string u, expand(st, cmd, user->user));
    st.user = u;
    st.image.user = u;
    change.kind = ir::ConfigKind::user;
    change.values = {u};
  } else if (const auto* c = std::get_if<ins::CmdInstr>(&instr)) {
    change.kind = ir::ConfigKind::cmd;
    change.values = c->command.form == ins::CommandForm::shell
                        ? with_shell(st, c->command.args.empty() ? "" : c->command.args[0])
                        : c->command.args;
    st.cmd_set = true;
  } else if (const auto* ep = std::get_if<ins::EntrypointInstr>(&instr)) {
    change.kind = ir::ConfigKind::entrypoint;
    change.values = ep->command.form == ins::CommandForm::shell
                        ? with_shell(st, ep->command.args.empty() ? "" : ep->command.args[0])
                        : ep->command.args;
    change.reset_cmd = !st.cmd_set;
  } else if (const auto* sh = std::get_if<ins::ShellInstr>(&instr)) {
    st.image.shell = sh->shell;
    change.kind = ir::ConfigKind::shell;
    change.values = sh->shell;
  } else if (const auto* expose = std::get_if<ins::ExposeInstr>(&instr)) {
    std::set<std::pair<uint64_t, std::string>> ports;
    for (const std::string& p : expose->ports) {
      TRY_ASSIGN(std::vector<std::string> words, expand_words(st, cmd, p));
      for (const std::string& w : words) {
        auto range = ir::parse_port_spec(w);
        if (!range.ok()) return error_at(cmd, range.error().message);
        for (uint64_t port = range->first; port <= range->last; ++port) ports.emplace(port, range->proto);
      }
    }
    change.kind = ir::ConfigKind::expose;
    for (const auto& [port, proto] : ports) change.values.push_back(std::to_string(port) + "/" + proto);
  } else if (const auto* vol = std::get_if<ins::VolumeInstr>(&instr)) {
    change.kind = ir::ConfigKind::volume;
    for (const std::string& v : vol->volumes) {
      TRY_ASSIGN(std::string path, expand(st, cmd, v));
      if (path.empty()) return error_at(cmd, "VOLUME specified can not be an empty string");
      change.values.push_back(path);
    }
  } else if (const auto* sig = std::get_if<ins::StopSignalInstr>(&instr)) {
    TRY_ASSIGN(std::string s, expand(st, cmd, sig->signal));
    if (!valid_signal(s)) return error_at(cmd, "invalid signal: " + s);
    change.kind = ir::ConfigKind::stopsignal;
    change.values = {s};
  } else if (const auto* hc = std::get_if<ins::HealthcheckInstr>(&instr)) {
    change.kind = ir::ConfigKind::healthcheck;
    ir::Healthcheck h;
    h.test = hc->test();
    h.interval_ns = hc->interval_ns;
    h.timeout_ns = hc->timeout_ns;
    h.start_period_ns = hc->start_period_ns;
    h.start_interval_ns = hc->start_interval_ns;
    h.retries = hc->retries;
    change.healthcheck = h;
  } else if (const auto* ob = std::get_if<ins::OnbuildInstr>(&instr)) {
    change.kind = ir::ConfigKind::onbuild;
    change.values = {ob->expression};
  } else if (const auto* m = std::get_if<ins::MaintainerInstr>(&instr)) {
    change.kind = ir::ConfigKind::maintainer;
    change.values = {m->maintainer};
  } else {
    return error_at(cmd, std::string("unexpected instruction ") + ins::instruction_name(instr));
  }
  emit(std::move(change), text);
  return {};
}

}  // namespace frontend::lower::detail
