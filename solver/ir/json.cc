#include <type_traits>

#include "solver/ir/digest.h"
#include "solver/ir/serialize.h"

namespace ir {
namespace {

using Json = nlohmann::ordered_json;

// Permission bits read best in octal: "0755".
std::string octal(uint32_t mode) {
  std::string out;
  for (int shift = 9; shift >= 0; shift -= 3) out += static_cast<char>('0' + ((mode >> shift) & 7));
  return out;
}

Json pairs_json(const std::vector<std::pair<std::string, std::string>>& pairs) {
  Json out = Json::array();
  for (const auto& [k, v] : pairs) out.push_back(Json::array({k, v}));
  return out;
}

Json pairs_json(const EnvMap& pairs) {
  Json out = Json::array();
  for (const auto& [k, v] : pairs) out.push_back(Json::array({k, v}));
  return out;
}

Json mount_json(const Mount& m) {
  Json j;
  j["type"] = mount_type_name(m.type);
  j["target"] = m.target;
  if (m.input) j["input"] = *m.input;
  if (m.type == MountType::bind || m.type == MountType::cache) j["source"] = m.source;
  j["readonly"] = m.readonly == ReadOnly::yes;
  if (!m.id.empty()) j["id"] = m.id;
  if (m.type == MountType::cache) j["sharing"] = sharing_name(m.sharing);
  if (!m.env.empty()) j["env"] = m.env;
  if (m.type == MountType::secret || m.type == MountType::ssh) j["required"] = m.required;
  if (m.mode) j["mode"] = octal(*m.mode);
  if (m.uid) j["uid"] = *m.uid;
  if (m.gid) j["gid"] = *m.gid;
  if (m.type == MountType::tmpfs) j["size"] = m.size;
  return j;
}

Json action_json(const FileAction& action) {
  Json j;
  if (const auto* c = std::get_if<Copy>(&action)) {
    j["action"] = "copy";
    j["src_input"] = c->src_input;
    j["src"] = c->src;
    j["dest"] = c->dest;
    if (!c->chown.empty()) j["chown"] = c->chown;
    if (!c->chmod.empty()) j["chmod"] = c->chmod;
    if (!c->include_patterns.empty()) j["include_patterns"] = c->include_patterns;
    if (!c->required_paths.empty()) j["required_paths"] = c->required_paths;
    if (!c->exclude_patterns.empty()) j["exclude_patterns"] = c->exclude_patterns;
    j["follow_symlinks"] = c->follow_symlinks;
    j["dir_contents_only"] = c->dir_contents_only;
    j["allow_wildcard"] = c->allow_wildcard;
    j["allow_empty_wildcard"] = c->allow_empty_wildcard;
    j["create_dest_path"] = c->create_dest_path;
    j["attempt_unpack"] = c->attempt_unpack;
  } else if (const auto* d = std::get_if<Mkdir>(&action)) {
    j["action"] = "mkdir";
    j["path"] = d->path;
    j["mode"] = octal(d->mode);
    j["make_parents"] = d->make_parents;
    if (!d->chown.empty()) j["chown"] = d->chown;
  } else if (const auto* f = std::get_if<Mkfile>(&action)) {
    j["action"] = "mkfile";
    j["path"] = f->path;
    j["mode"] = octal(f->mode);
    j["data"] = f->data;
  }
  return j;
}

void fields_json(Json& j, const Op& op) {
  std::visit(
      [&j](const auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, Scratch>) {
        } else if constexpr (std::is_same_v<T, ImageSource>) {
          j["ref"] = o.ref;
          j["platform"] = o.platform.str();
        } else if constexpr (std::is_same_v<T, ContextSource>) {
          j["name"] = o.name;
          j["include_patterns"] = o.include_patterns;
          j["exclude_patterns"] = o.exclude_patterns;
        } else if constexpr (std::is_same_v<T, HttpSource>) {
          j["url"] = o.url;
          j["checksum"] = o.checksum;
          j["filename"] = o.filename;
        } else if constexpr (std::is_same_v<T, GitSource>) {
          j["remote"] = o.remote;
          j["ref"] = o.ref;
          j["subdir"] = o.subdir;
          j["checksum"] = o.checksum;
          j["keep_git_dir"] = o.keep_git_dir == KeepGitDir::yes;
          j["submodules"] = o.submodules;
        } else if constexpr (std::is_same_v<T, Exec>) {
          j["argv"] = o.argv;
          j["env"] = pairs_json(o.env);
          j["cwd"] = o.cwd;
          j["user"] = o.user;
          j["network"] = network_name(o.network);
          j["security"] = security_name(o.security);
          Json mounts = Json::array();
          for (const Mount& m : o.mounts) mounts.push_back(mount_json(m));
          j["mounts"] = mounts;
          if (!o.devices.empty()) {
            Json devices = Json::array();
            for (const Device& d : o.devices) devices.push_back(Json{{"name", d.name}, {"required", d.required}});
            j["devices"] = devices;
          }
          if (!o.proxy_env.empty()) j["proxy_env"] = pairs_json(o.proxy_env);
        } else if constexpr (std::is_same_v<T, File>) {
          j["link"] = o.link == Link::yes;
          Json actions = Json::array();
          for (const FileAction& a : o.actions) actions.push_back(action_json(a));
          j["actions"] = actions;
        } else if constexpr (std::is_same_v<T, ConfigChange>) {
          j["config"] = config_kind_name(o.kind);
          if (!o.pairs.empty()) {
            Json pairs = Json::array();
            for (const KeyValue& kv : o.pairs)
              pairs.push_back(kv.value ? Json::array({kv.key, *kv.value}) : Json::array({kv.key}));
            j["pairs"] = pairs;
          }
          if (!o.values.empty() || o.kind == ConfigKind::cmd || o.kind == ConfigKind::entrypoint)
            j["values"] = o.values;
          if (o.healthcheck) {
            Json h;
            h["test"] = o.healthcheck->test;
            h["interval_ns"] = o.healthcheck->interval_ns;
            h["timeout_ns"] = o.healthcheck->timeout_ns;
            h["start_period_ns"] = o.healthcheck->start_period_ns;
            h["start_interval_ns"] = o.healthcheck->start_interval_ns;
            h["retries"] = o.healthcheck->retries;
            j["healthcheck"] = h;
          }
          if (o.kind == ConfigKind::entrypoint) j["reset_cmd"] = o.reset_cmd;
        }
      },
      op);
}

}  // namespace

nlohmann::ordered_json to_json_value(const Definition& def) {
  std::vector<OpDigests> digests = op_digests(def);
  Json root;
  root["schema"] = k_schema;
  root["target"] = def.target;
  root["terminal"] = {{"op", def.terminal.op}, {"output", def.terminal.output}};
  Json stages = Json::array();
  for (const Stage& s : def.stages) {
    Json js;
    js["name"] = s.name;
    js["index"] = s.index;
    js["base"] = s.base;
    js["platform"] = s.platform.str();
    js["terminal"] = s.terminal;
    stages.push_back(js);
  }
  root["stages"] = stages;
  Json ops = Json::array();
  for (size_t i = 0; i < def.ops.size(); ++i) {
    Json j;
    j["index"] = i;
    j["kind"] = op_kind(def.ops[i]);
    j["digest"] = digests[i].op.str();
    Json ins = Json::array();
    for (const Input& in : def.inputs[i]) ins.push_back(Json::array({in.op, in.output}));
    j["inputs"] = ins;
    fields_json(j, def.ops[i]);
    const OpInfo& info = def.info[i];
    Json ji;
    ji["name"] = info.display_name;
    ji["stage"] = info.stage;
    if (info.range.start_line > 0) {
      ji["file"] = info.range.file;
      ji["lines"] = Json::array({info.range.start_line, info.range.end_line});
    }
    j["info"] = ji;
    ops.push_back(j);
  }
  root["ops"] = ops;
  return root;
}

namespace {

// Dockerfiles may hold bytes that are not UTF-8; JSON cannot, so such bytes
// print as U+FFFD instead of failing (digests still cover the exact bytes).
std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

bool has_object(const Json& j) {
  if (j.is_object()) return true;
  if (j.is_array())
    for (const Json& e : j)
      if (has_object(e)) return true;
  return false;
}

// Like dump(2), but arrays without objects in them stay on one line when
// short: the graph stays readable and diffs of golden files stay small.
void write(std::string& out, const Json& j, int indent) {
  const std::string pad(static_cast<size_t>(indent), ' ');
  const std::string inner(static_cast<size_t>(indent + 2), ' ');
  if (j.is_object()) {
    if (j.empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    bool first = true;
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (!first) out += ",\n";
      first = false;
      out += inner + dump(Json(it.key())) + ": ";
      write(out, it.value(), indent + 2);
    }
    out += "\n" + pad + "}";
    return;
  }
  if (j.is_array() && !j.empty()) {
    std::string flat = dump(j);
    if (!has_object(j) && flat.size() <= 100) {
      // dump() writes [1,2]; add the space after commas between elements.
      out += "[";
      bool first = true;
      for (const Json& e : j) {
        if (!first) out += ", ";
        first = false;
        write(out, e, indent + 2);
      }
      out += "]";
      return;
    }
    out += "[\n";
    bool first = true;
    for (const Json& e : j) {
      if (!first) out += ",\n";
      first = false;
      out += inner;
      write(out, e, indent + 2);
    }
    out += "\n" + pad + "]";
    return;
  }
  out += dump(j);
}

}  // namespace

std::string to_json(const Definition& def) {
  std::string out;
  write(out, to_json_value(def), 0);
  return out + "\n";
}

nlohmann::ordered_json op_fields_json(const Op& op) {
  Json j = Json::object();
  j["kind"] = op_kind(op);
  fields_json(j, op);
  return j;
}

}  // namespace ir
