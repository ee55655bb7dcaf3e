#include "frontend/instructions/instructions_json.h"

#include "frontend/instructions/run_mount.h"

namespace frontend::instructions {
namespace {

using Json = nlohmann::ordered_json;

const char* form_name(CommandForm f) { return f == CommandForm::exec ? "exec" : "shell"; }

Json heredocs_json(const std::vector<ast::Heredoc>& heredocs) {
  Json out = Json::array();
  for (const auto& h : heredocs)
    out.push_back({{"name", h.name}, {"content", h.content}, {"expand", h.expand}, {"chomp", h.chomp}, {"fd", h.fd}});
  return out;
}

Json command_json(const CommandLine& c) {
  return Json{{"form", form_name(c.form)}, {"args", c.args}, {"heredocs", heredocs_json(c.heredocs)}};
}

Json mount_json(const RunMount& m) {
  Json j;
  j["spec"] = m.spec;
  j["type"] = std::string(mount_type_name(m.type));
  j["from"] = m.from;
  j["source"] = m.source;
  j["target"] = m.target;
  j["id"] = m.id;
  if (m.env) j["env"] = *m.env;
  j["read_only"] = m.read_only;
  if (m.sharing)
    j["sharing"] = *m.sharing == CacheSharing::shared    ? "shared"
                   : *m.sharing == CacheSharing::private_ ? "private"
                                                          : "locked";
  j["required"] = m.required;
  if (m.mode) j["mode"] = *m.mode;
  if (m.uid) j["uid"] = *m.uid;
  if (m.gid) j["gid"] = *m.gid;
  if (m.size_bytes) j["size_bytes"] = *m.size_bytes;
  return j;
}

Json pairs_json(const std::vector<KeyValue>& pairs) {
  Json out = Json::array();
  for (const auto& p : pairs) out.push_back({{"key", p.key}, {"value", p.value}, {"legacy_form", p.legacy_form}});
  return out;
}

Json args_json(const ArgInstr& a) {
  Json out = Json::array();
  for (const auto& p : a.args) {
    Json j{{"name", p.name}};
    if (p.default_value) j["default"] = *p.default_value;
    out.push_back(std::move(j));
  }
  return out;
}

Json heredoc_sources_json(const std::vector<HeredocSource>& sources) {
  Json out = Json::array();
  for (const auto& h : sources) out.push_back({{"path", h.path}, {"content", h.content}, {"expand", h.expand}});
  return out;
}

// Adds the fields of one instruction to `j`.
struct Fields {
  Json& j;
  void operator()(const RunInstr& r) const {
    j["command"] = command_json(r.command);
    Json mounts = Json::array();
    for (const auto& m : r.mounts) mounts.push_back(mount_json(m));
    j["mounts"] = std::move(mounts);
    j["network"] = r.network == NetworkMode::none ? "none" : r.network == NetworkMode::host ? "host" : "default";
    j["network_set"] = r.network_set;
    j["security"] = r.security == SecurityMode::insecure ? "insecure" : "sandbox";
    Json devices = Json::array();
    for (const auto& d : r.devices) devices.push_back({{"name", d.name}, {"required", d.required}});
    j["devices"] = std::move(devices);
    j["flags_used"] = r.flags_used;
  }
  void operator()(const CopyInstr& c) const {
    j["sources"] = c.sources;
    j["heredoc_sources"] = heredoc_sources_json(c.heredoc_sources);
    j["dest"] = c.dest;
    j["from"] = c.from;
    j["chown"] = c.chown;
    j["chmod"] = c.chmod;
    j["link"] = c.link;
    j["parents"] = c.parents;
    j["excludes"] = c.excludes;
    j["form"] = form_name(c.form);
  }
  void operator()(const AddInstr& a) const {
    j["sources"] = a.sources;
    j["heredoc_sources"] = heredoc_sources_json(a.heredoc_sources);
    j["dest"] = a.dest;
    j["chown"] = a.chown;
    j["chmod"] = a.chmod;
    j["link"] = a.link;
    if (a.keep_git_dir) j["keep_git_dir"] = *a.keep_git_dir;
    j["checksum"] = a.checksum;
    if (a.unpack) j["unpack"] = *a.unpack;
    j["excludes"] = a.excludes;
    j["form"] = form_name(a.form);
  }
  void operator()(const EnvInstr& e) const { j["pairs"] = pairs_json(e.pairs); }
  void operator()(const LabelInstr& l) const { j["pairs"] = pairs_json(l.pairs); }
  void operator()(const ArgInstr& a) const { j["args"] = args_json(a); }
  void operator()(const CmdInstr& c) const { j["command"] = command_json(c.command); }
  void operator()(const EntrypointInstr& e) const { j["command"] = command_json(e.command); }
  void operator()(const ShellInstr& s) const { j["shell"] = s.shell; }
  void operator()(const WorkdirInstr& w) const { j["path"] = w.path; }
  void operator()(const UserInstr& u) const { j["user"] = u.user; }
  void operator()(const ExposeInstr& e) const { j["ports"] = e.ports; }
  void operator()(const VolumeInstr& v) const { j["volumes"] = v.volumes; }
  void operator()(const StopSignalInstr& s) const { j["signal"] = s.signal; }
  void operator()(const MaintainerInstr& m) const { j["maintainer"] = m.maintainer; }
  void operator()(const HealthcheckInstr& h) const {
    j["test"] = h.test();
    j["interval_ns"] = h.interval_ns;
    j["timeout_ns"] = h.timeout_ns;
    j["start_period_ns"] = h.start_period_ns;
    j["start_interval_ns"] = h.start_interval_ns;
    j["retries"] = h.retries;
  }
  void operator()(const OnbuildInstr& o) const {
    j["expression"] = o.expression;
    j["trigger"] = o.trigger.empty() ? Json(nullptr) : to_json(o.trigger.front());
  }
};

}  // namespace

Json to_json(const Located& located) {
  Json j;
  j["instruction"] = instruction_name(located.instr);
  j["line"] = located.src.start_line;
  j["end_line"] = located.src.end_line;
  j["column"] = located.src.column;
  std::visit(Fields{j}, located.instr);
  return j;
}

Json to_json(const ParsedDockerfile& parsed) {
  Json warnings = Json::array();
  for (const auto& w : parsed.warnings) warnings.push_back({{"short", w.short_text}, {"line", w.line}});
  Json meta = Json::array();
  for (const auto& m : parsed.meta_args) meta.push_back({{"args", args_json(m.arg)}, {"line", m.src.start_line}});
  Json stages = Json::array();
  for (const auto& s : parsed.stages) {
    Json commands = Json::array();
    for (const auto& c : s.commands) commands.push_back(to_json(c));
    stages.push_back({{"index", s.index},
                      {"name", s.name},
                      {"base_name", s.base_name},
                      {"platform", s.platform},
                      {"line", s.src.start_line},
                      {"commands", std::move(commands)}});
  }
  Json out;
  out["kiln_instructions_version"] = k_instructions_json_version;
  out["file"] = parsed.file;
  out["escape_token"] = std::string(1, parsed.escape_token);
  out["warnings"] = std::move(warnings);
  out["meta_args"] = std::move(meta);
  out["stages"] = std::move(stages);
  return out;
}

std::string dump_json(const ParsedDockerfile& parsed) {
  return to_json(parsed).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace frontend::instructions
