#include "solver/core/explain.h"

#include <map>

#include <nlohmann/json.hpp>

#include "solver/ir/serialize.h"

namespace solver {

namespace {

using Json = nlohmann::ordered_json;

std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

// "[build 2/4] COPY . /src" → "COPY . /src": the step counter shifts whenever
// a line is added elsewhere in the stage and is not a change of this step.
std::string strip_counter(const std::string& name) {
  if (name.size() > 1 && name[0] == '[') {
    size_t close = name.find("] ");
    if (close != std::string::npos) return name.substr(close + 2);
  }
  return name;
}

std::string in_quotes(const std::string& s) { return "\"" + s + "\""; }

std::map<std::string, std::string> pairs_map(const Json& pairs) {
  std::map<std::string, std::string> out;
  if (!pairs.is_array()) return out;
  for (const Json& p : pairs)
    if (p.is_array() && p.size() == 2 && p[0].is_string() && p[1].is_string())
      out[p[0].get<std::string>()] = p[1].get<std::string>();
  return out;
}

void explain_env(const Json& before, const Json& after, std::vector<std::string>& out) {
  auto a = pairs_map(before);
  auto b = pairs_map(after);
  for (const auto& [k, v] : b) {
    auto it = a.find(k);
    if (it == a.end())
      out.push_back("build arg or env " + k + " added: " + in_quotes(v));
    else if (it->second != v)
      out.push_back("build arg or env " + k + " changed: " + in_quotes(it->second) + " -> " + in_quotes(v));
  }
  for (const auto& [k, v] : a)
    if (!b.count(k)) out.push_back("build arg or env " + k + " removed (was " + in_quotes(v) + ")");
}

void explain_definition(const std::string& before_text, const std::string& after_text,
                        std::vector<std::string>& out) {
  Json before = Json::parse(before_text, nullptr, false);
  Json after = Json::parse(after_text, nullptr, false);
  if (!before.is_object() || !after.is_object()) {
    out.push_back("step definition changed");
    return;
  }
  for (const auto& [field, value] : after.items()) {
    if (before.contains(field) && before[field] == value) continue;
    if (field == "env") {
      explain_env(before.contains(field) ? before[field] : Json::array(), value, out);
    } else {
      out.push_back(field + " changed: " + (before.contains(field) ? dump(before[field]) : "unset") +
                    " -> " + dump(value));
    }
  }
  for (const auto& [field, value] : before.items())
    if (!after.contains(field)) out.push_back(field + " removed (was " + dump(value) + ")");
}

// The "env" field of an op's parsed definition; empty when there is none.
Json env_of(const Json& definition) {
  if (definition.is_object() && definition.contains("env")) return definition["env"];
  return Json::array();
}

// (old value, new value) of every variable whose value changed. An empty
// old value can explain nothing (it is everywhere), so then none are given.
using ValueChanges = std::vector<std::pair<std::string, std::string>>;
ValueChanges value_changes(const Json& env_before, const Json& env_after) {
  auto a = pairs_map(env_before);
  ValueChanges out;
  for (const auto& [k, v] : pairs_map(env_after)) {
    auto it = a.find(k);
    if (it == a.end() || it->second == v) continue;
    if (it->second.empty()) return {};
    out.emplace_back(it->second, v);
  }
  return out;
}

// Whether `before` turns into `after` by putting each changed variable's new
// value where its old value was: the text differs only because it expands a
// build arg or env that changed (RUN echo $VER).
bool explained_by(std::string before, const std::string& after, const ValueChanges& changes) {
  bool any = false;
  for (const auto& [was, now] : changes) {
    for (size_t at = before.find(was); at != std::string::npos; at = before.find(was, at + now.size())) {
      before.replace(at, was.size(), now);
      any = true;
    }
  }
  return any && before == after;
}

}  // namespace

std::string op_definition_json(const ir::Definition& def, uint32_t op) {
  return dump(ir::op_fields_json(def.ops[op]));
}

std::vector<std::string> explain_miss(const std::optional<StepRecord>& before,
                                      const StepRecord& now, OpExecutor& executor,
                                      bool lookups_allowed) {
  std::vector<std::string> out;
  if (!lookups_allowed) {
    out.push_back("cache disabled for this step (--no-cache or --no-cache-filter)");
    return out;
  }
  if (!before) {
    out.push_back("no earlier build of this step in this project");
    return out;
  }
  if (before->key == now.key) {
    out.push_back("the cached result was removed since the last build (pruned or never stored)");
    return out;
  }
  std::string instr_before = strip_counter(before->instruction);
  std::string instr_now = strip_counter(now.instruction);
  if (instr_before != instr_now) {
    // A build arg the instruction expands changes its text too: name the
    // arg, and the instruction only when the arg does not account for it.
    Json b = Json::parse(before->definition, nullptr, false), a = Json::parse(now.definition, nullptr, false);
    Json env_before = env_of(b), env_now = env_of(a);
    ValueChanges changes = value_changes(env_before, env_now);
    if (!explained_by(instr_before, instr_now, changes)) {
      out.push_back("instruction changed: " + in_quotes(instr_before) + " -> " + in_quotes(instr_now));
    } else if (b.is_object() && a.is_object()) {
      // The text changed only by the arg; what earlier lines set (WORKDIR,
      // USER, ...) may have changed as well and is named too.
      for (const auto& [field, value] : a.items()) {
        if (field == "env" || (b.contains(field) && b[field] == value)) continue;
        std::string was = b.contains(field) ? dump(b[field]) : "unset";
        if (b.contains(field) && explained_by(was, dump(value), changes)) continue;
        out.push_back(field + " changed: " + was + " -> " + dump(value));
      }
    }
    if (env_before != env_now) explain_env(env_before, env_now, out);
  } else if (before->definition != now.definition) {
    explain_definition(before->definition, now.definition, out);
  }
  size_t n = std::max(before->input_keys.size(), now.input_keys.size());
  for (size_t i = 0; i < n; ++i) {
    std::string kb = i < before->input_keys.size() ? before->input_keys[i] : std::string();
    std::string kn = i < now.input_keys.size() ? now.input_keys[i] : std::string();
    if (kb == kn) continue;
    std::string name = i < now.input_names.size() ? now.input_names[i] : std::string();
    if (name.empty()) name = "input " + std::to_string(i);
    out.push_back((i == 0 ? "previous step changed: " : "source changed: ") + name);
  }
  const auto& cb = before->content;
  const auto& cn = now.content;
  if (cb && cn && cb->kind == cn->kind && cb->digest != cn->digest) {
    std::vector<std::string> lines = executor.explain(cn->kind, cb->detail.get(), cn->detail.get());
    if (lines.empty()) lines.push_back(cn->kind + " changed: " + cb->digest.str() + " -> " + cn->digest.str());
    out.insert(out.end(), lines.begin(), lines.end());
  } else if (cb.has_value() != cn.has_value() || (cb && cn && cb->kind != cn->kind)) {
    out.push_back("step sources changed");
  }
  if (out.empty()) out.push_back("cache key changed (schema or internal inputs)");
  return out;
}

}  // namespace solver
