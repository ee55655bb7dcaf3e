#include "solver/core/cache_index.h"

#include <nlohmann/json.hpp>

#include "base/base64.h"
#include "base/digest.h"

namespace solver {

namespace {

using Json = nlohmann::json;

std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

}  // namespace

std::string serialize_result(const VertexResult& result) {
  return dump(Json{{"snapshot", result.snapshot}, {"payload", result.payload}});
}

base::Result<VertexResult> parse_result(std::string_view text) {
  try {
    Json j = Json::parse(text);
    return VertexResult{j.at("snapshot").get<std::string>(), j.at("payload").get<std::string>()};
  } catch (const Json::exception& e) {
    return base::make_error(std::string("malformed cache record: ") + e.what());
  }
}

std::string serialize_step_record(const StepRecord& record) {
  Json j{{"key", record.key},
         {"instruction", record.instruction},
         {"definition", record.definition},
         {"input_keys", record.input_keys},
         {"input_names", record.input_names}};
  if (record.content) {
    j["content"] = Json{{"digest", record.content->digest.str()},
                        {"kind", record.content->kind},
                        {"detail", base::base64_encode(record.content->detail.get())}};
  }
  return dump(j);
}

std::string step_record_fingerprint(const StepRecord& record) {
  base::Hasher h("kiln.step-record.v2");
  h.str(record.key).str(record.instruction).str(record.definition);
  h.list(record.input_keys.size());
  for (const std::string& key : record.input_keys) h.str(key);
  h.list(record.input_names.size());
  for (const std::string& name : record.input_names) h.str(name);
  h.boolean(record.content.has_value());
  // Not the detail: it follows from the digest (ContentKey), and making it
  // is what a cached step saves.
  if (record.content) h.digest(record.content->digest).str(record.content->kind);
  return h.finish().str();
}

base::Result<StepRecord> parse_step_record(std::string_view text) {
  try {
    Json j = Json::parse(text);
    StepRecord r;
    r.key = j.at("key").get<std::string>();
    r.instruction = j.at("instruction").get<std::string>();
    r.definition = j.at("definition").get<std::string>();
    r.input_keys = j.at("input_keys").get<std::vector<std::string>>();
    r.input_names = j.at("input_names").get<std::vector<std::string>>();
    if (j.contains("content")) {
      const Json& c = j.at("content");
      TRY_ASSIGN(auto digest, base::Digest::parse(c.at("digest").get<std::string>()));
      TRY_ASSIGN(std::string detail, base::base64_decode(c.at("detail").get<std::string>()));
      r.content = ContentKey{digest, c.at("kind").get<std::string>(), std::move(detail)};
    }
    return r;
  } catch (const Json::exception& e) {
    return base::make_error(std::string("malformed build step record: ") + e.what());
  }
}

base::Result<std::optional<VertexResult>> MemoryCacheIndex::lookup(const std::string& key) {
  std::lock_guard lock(m_mutex);
  auto it = m_results.find(key);
  if (it == m_results.end()) return std::optional<VertexResult>{};
  return std::optional<VertexResult>{it->second};
}

base::Result<void> MemoryCacheIndex::store(const std::string& key, const VertexResult& result) {
  std::lock_guard lock(m_mutex);
  m_results[key] = result;
  return {};
}

base::Result<VertexResult> MemoryCacheIndex::store_first(const std::string& key,
                                                         const VertexResult& result) {
  std::lock_guard lock(m_mutex);
  return m_results.emplace(key, result).first->second;
}

base::Result<std::optional<StepRecord>> MemoryCacheIndex::last_step(const std::string& step_id) {
  std::lock_guard lock(m_mutex);
  auto it = m_steps.find(step_id);
  if (it == m_steps.end()) return std::optional<StepRecord>{};
  return std::optional<StepRecord>{it->second};
}

base::Result<std::optional<std::string>> MemoryCacheIndex::last_step_fingerprint(
    const std::string& step_id) {
  std::lock_guard lock(m_mutex);
  auto it = m_steps.find(step_id);
  if (it == m_steps.end()) return std::optional<std::string>{};
  return std::optional<std::string>{step_record_fingerprint(it->second)};
}

base::Result<void> MemoryCacheIndex::remember_step(const std::string& step_id,
                                                   const StepRecord& record) {
  std::lock_guard lock(m_mutex);
  m_steps[step_id] = record;
  return {};
}

}  // namespace solver
