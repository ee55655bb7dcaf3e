#include "oci/image_config.h"

#include "oci/json_fields.h"

namespace oci {

using base::make_error;

namespace {

Result<std::optional<std::vector<std::string>>> opt_list(const FieldReader& fields,
                                                         std::string_view key) {
  if (!fields.has(key)) return std::optional<std::vector<std::string>>();
  TRY_ASSIGN(auto list, fields.string_list(key));
  return std::optional<std::vector<std::string>>(std::move(list));
}

Result<Healthcheck> read_healthcheck(const FieldReader& fields) {
  Healthcheck h;
  TRY_ASSIGN(h.test, fields.string_list("Test"));
  TRY_ASSIGN(auto interval, fields.opt_int64("Interval"));
  TRY_ASSIGN(auto timeout, fields.opt_int64("Timeout"));
  TRY_ASSIGN(auto start_period, fields.opt_int64("StartPeriod"));
  TRY_ASSIGN(auto start_interval, fields.opt_int64("StartInterval"));
  TRY_ASSIGN(auto retries, fields.opt_int64("Retries"));
  h.interval = interval.value_or(0);
  h.timeout = timeout.value_or(0);
  h.start_period = start_period.value_or(0);
  h.start_interval = start_interval.value_or(0);
  h.retries = retries.value_or(0);
  return h;
}

Result<ContainerConfig> read_container_config(const FieldReader& fields) {
  ContainerConfig c;
  TRY_ASSIGN(auto user, fields.opt_string("User"));
  c.user = user.value_or("");
  TRY_ASSIGN(c.exposed_ports, fields.key_set("ExposedPorts"));
  TRY_ASSIGN(c.env, fields.string_list("Env"));
  TRY_ASSIGN(c.entrypoint, opt_list(fields, "Entrypoint"));
  TRY_ASSIGN(c.cmd, opt_list(fields, "Cmd"));
  TRY_ASSIGN(c.volumes, fields.key_set("Volumes"));
  TRY_ASSIGN(auto working_dir, fields.opt_string("WorkingDir"));
  c.working_dir = working_dir.value_or("");
  TRY_ASSIGN(c.labels, fields.string_map("Labels"));
  TRY_ASSIGN(auto stop_signal, fields.opt_string("StopSignal"));
  c.stop_signal = stop_signal.value_or("");
  TRY_ASSIGN(auto args_escaped, fields.opt_bool("ArgsEscaped"));
  c.args_escaped = args_escaped.value_or(false);
  TRY_ASSIGN(auto healthcheck, fields.opt_object("Healthcheck"));
  if (healthcheck) {
    TRY_ASSIGN(auto h, read_healthcheck(*healthcheck));
    c.healthcheck = std::move(h);
  }
  TRY_ASSIGN(c.on_build, fields.string_list("OnBuild"));
  TRY_ASSIGN(c.shell, fields.string_list("Shell"));
  c.extra = fields.unknown({"User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Volumes",
                            "WorkingDir", "Labels", "StopSignal", "ArgsEscaped", "Healthcheck",
                            "OnBuild", "Shell"});
  return c;
}

Result<History> read_history(const FieldReader& fields) {
  History h;
  TRY_ASSIGN(h.created, fields.opt_string("created"));
  TRY_ASSIGN(auto created_by, fields.opt_string("created_by"));
  TRY_ASSIGN(auto author, fields.opt_string("author"));
  TRY_ASSIGN(auto comment, fields.opt_string("comment"));
  TRY_ASSIGN(auto empty_layer, fields.opt_bool("empty_layer"));
  h.created_by = created_by.value_or("");
  h.author = author.value_or("");
  h.comment = comment.value_or("");
  h.empty_layer = empty_layer.value_or(false);
  return h;
}

Result<RootFs> read_rootfs(const FieldReader& fields) {
  RootFs r;
  TRY_ASSIGN(r.type, fields.string("type"));
  if (r.type != "layers")
    return make_error("field \"rootfs.type\": expected \"layers\", got \"" + r.type + "\"");
  TRY_ASSIGN(auto ids, fields.string_list("diff_ids"));
  for (size_t i = 0; i < ids.size(); ++i) {
    auto d = base::Digest::parse(ids[i]);
    if (!d)
      return make_error("field \"rootfs.diff_ids[" + std::to_string(i) + "]\": " + d.error().message);
    r.diff_ids.push_back(*d);
  }
  return r;
}

Result<ImageConfig> read_image_config(const nlohmann::json& doc) {
  TRY_ASSIGN(auto fields, FieldReader::make(doc, ""));
  ImageConfig c;
  TRY_ASSIGN(c.created, fields.opt_string("created"));
  TRY_ASSIGN(auto author, fields.opt_string("author"));
  c.author = author.value_or("");
  TRY_ASSIGN(c.architecture, fields.string("architecture"));
  TRY_ASSIGN(c.os, fields.string("os"));
  TRY_ASSIGN(auto os_version, fields.opt_string("os.version"));
  c.os_version = os_version.value_or("");
  TRY_ASSIGN(c.os_features, fields.string_list("os.features"));
  TRY_ASSIGN(auto variant, fields.opt_string("variant"));
  c.variant = variant.value_or("");
  TRY_ASSIGN(auto config, fields.opt_object("config"));
  if (config) {
    TRY_ASSIGN(c.config, read_container_config(*config));
  }
  TRY_ASSIGN(auto rootfs, fields.object("rootfs"));
  TRY_ASSIGN(c.rootfs, read_rootfs(rootfs));
  TRY_ASSIGN(auto history, fields.object_list("history"));
  for (const auto& entry : history) {
    TRY_ASSIGN(auto h, read_history(entry));
    c.history.push_back(std::move(h));
  }
  c.extra = fields.unknown({"created", "author", "architecture", "os", "os.version", "os.features",
                            "variant", "config", "rootfs", "history"});
  return c;
}

nlohmann::json to_json(const Healthcheck& h) {
  nlohmann::json j = nlohmann::json::object();
  if (!h.test.empty()) j["Test"] = h.test;
  if (h.interval != 0) j["Interval"] = h.interval;
  if (h.timeout != 0) j["Timeout"] = h.timeout;
  if (h.start_period != 0) j["StartPeriod"] = h.start_period;
  if (h.start_interval != 0) j["StartInterval"] = h.start_interval;
  if (h.retries != 0) j["Retries"] = h.retries;
  return j;
}

nlohmann::json set_to_json(const std::set<std::string>& keys) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& k : keys) j[k] = nlohmann::json::object();
  return j;
}

nlohmann::json to_json(const ContainerConfig& c) {
  nlohmann::json j = c.extra.is_object() ? c.extra : nlohmann::json::object();
  auto put = [&j](const char* key, bool present, nlohmann::json value) {
    if (present) j[key] = std::move(value);
    else j.erase(key);
  };
  put("User", !c.user.empty(), c.user);
  put("ExposedPorts", !c.exposed_ports.empty(), set_to_json(c.exposed_ports));
  put("Env", !c.env.empty(), c.env);
  put("Entrypoint", c.entrypoint.has_value(), c.entrypoint.value_or(std::vector<std::string>{}));
  put("Cmd", c.cmd.has_value(), c.cmd.value_or(std::vector<std::string>{}));
  put("Volumes", !c.volumes.empty(), set_to_json(c.volumes));
  put("WorkingDir", !c.working_dir.empty(), c.working_dir);
  put("Labels", !c.labels.empty(), c.labels);
  put("StopSignal", !c.stop_signal.empty(), c.stop_signal);
  put("ArgsEscaped", c.args_escaped, true);
  put("Healthcheck", c.healthcheck.has_value(),
      c.healthcheck ? to_json(*c.healthcheck) : nlohmann::json());
  put("OnBuild", !c.on_build.empty(), c.on_build);
  put("Shell", !c.shell.empty(), c.shell);
  return j;
}

nlohmann::json to_json(const History& h) {
  nlohmann::json j = nlohmann::json::object();
  if (h.created) j["created"] = *h.created;
  if (!h.created_by.empty()) j["created_by"] = h.created_by;
  if (!h.author.empty()) j["author"] = h.author;
  if (!h.comment.empty()) j["comment"] = h.comment;
  if (h.empty_layer) j["empty_layer"] = true;
  return j;
}

}  // namespace

Result<ImageConfig> parse_image_config(std::string_view bytes) {
  auto doc = parse_json(bytes);
  if (!doc) return with_context(Result<ImageConfig>(std::move(doc).error()), "invalid image config");
  return with_context(read_image_config(*doc), "invalid image config");
}

nlohmann::json to_json(const ImageConfig& c) {
  nlohmann::json j = c.extra.is_object() ? c.extra : nlohmann::json::object();
  auto put = [&j](const char* key, bool present, nlohmann::json value) {
    if (present) j[key] = std::move(value);
    else j.erase(key);
  };
  put("created", c.created.has_value(), c.created.value_or(""));
  put("author", !c.author.empty(), c.author);
  j["architecture"] = c.architecture;
  j["os"] = c.os;
  put("os.version", !c.os_version.empty(), c.os_version);
  put("os.features", !c.os_features.empty(), c.os_features);
  put("variant", !c.variant.empty(), c.variant);
  j["config"] = to_json(c.config);
  nlohmann::json diff_ids = nlohmann::json::array();
  for (const auto& d : c.rootfs.diff_ids) diff_ids.push_back(d.str());
  j["rootfs"] = {{"type", c.rootfs.type}, {"diff_ids", diff_ids}};
  nlohmann::json history = nlohmann::json::array();
  for (const auto& h : c.history) history.push_back(to_json(h));
  put("history", !c.history.empty(), history);
  return j;
}

std::string serialize(const ImageConfig& c) { return canonical_json(to_json(c)); }

base::Digest chain_id(const base::Digest& parent_chain, const base::Digest& diff_id) {
  if (parent_chain.empty()) return diff_id;
  return base::Sha256::of(parent_chain.str() + " " + diff_id.str());
}

Result<void> check_history_matches_layers(const ImageConfig& c) {
  if (c.history.empty()) return {};
  size_t non_empty = 0;
  for (const auto& h : c.history) non_empty += h.empty_layer ? 0 : 1;
  if (non_empty != c.rootfs.diff_ids.size())
    return make_error("image config has " + std::to_string(non_empty) +
                      " non-empty history entries but " + std::to_string(c.rootfs.diff_ids.size()) +
                      " layers in rootfs.diff_ids");
  return {};
}

}  // namespace oci
