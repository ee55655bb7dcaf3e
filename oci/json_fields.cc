#include "oci/json_fields.h"

namespace oci {

using base::make_error;

Result<nlohmann::json> parse_json(std::string_view bytes) {
  try {
    return nlohmann::json::parse(bytes.begin(), bytes.end());
  } catch (const nlohmann::json::parse_error& e) {
    return make_error("malformed JSON at byte " + std::to_string(e.byte));
  } catch (const nlohmann::json::exception&) {
    // out_of_range: a number too large for any JSON number type we keep.
    return make_error("malformed JSON: number out of range");
  }
}

std::string canonical_json(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<FieldReader> FieldReader::make(const nlohmann::json& object, std::string path) {
  if (!object.is_object())
    return make_error((path.empty() ? std::string("document") : "field \"" + path + "\"") +
                      ": expected an object, got " + object.type_name());
  return FieldReader(&object, std::move(path));
}

std::string FieldReader::field_path(std::string_view key) const {
  return m_path.empty() ? std::string(key) : m_path + "." + std::string(key);
}

bool FieldReader::has(std::string_view key) const { return find(key) != nullptr; }

const nlohmann::json* FieldReader::find(std::string_view key) const {
  auto it = m_object->find(key);
  if (it == m_object->end() || it->is_null()) return nullptr;
  return &*it;
}

base::Error FieldReader::type_error(std::string_view key, std::string_view expected,
                                    const nlohmann::json& got) const {
  return make_error("field \"" + field_path(key) + "\": expected " + std::string(expected) +
                    ", got " + got.type_name());
}

Result<std::optional<std::string>> FieldReader::opt_string(std::string_view key) const {
  const nlohmann::json* v = find(key);
  if (!v) return std::optional<std::string>();
  if (!v->is_string()) return type_error(key, "a string", *v);
  return std::optional<std::string>(v->get<std::string>());
}

Result<std::string> FieldReader::string(std::string_view key) const {
  TRY_ASSIGN(auto v, opt_string(key));
  if (!v) return make_error("field \"" + field_path(key) + "\" is required");
  return *v;
}

Result<std::optional<int64_t>> FieldReader::opt_int64(std::string_view key) const {
  const nlohmann::json* v = find(key);
  if (!v) return std::optional<int64_t>();
  if (v->is_number_unsigned()) {
    auto u = v->get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX))
      return make_error("field \"" + field_path(key) + "\": integer out of range");
    return std::optional<int64_t>(static_cast<int64_t>(u));
  }
  if (v->is_number_integer()) return std::optional<int64_t>(v->get<int64_t>());
  return type_error(key, "an integer", *v);
}

Result<int64_t> FieldReader::int64(std::string_view key) const {
  TRY_ASSIGN(auto v, opt_int64(key));
  if (!v) return make_error("field \"" + field_path(key) + "\" is required");
  return *v;
}

Result<std::optional<bool>> FieldReader::opt_bool(std::string_view key) const {
  const nlohmann::json* v = find(key);
  if (!v) return std::optional<bool>();
  if (!v->is_boolean()) return type_error(key, "a boolean", *v);
  return std::optional<bool>(v->get<bool>());
}

Result<base::Digest> FieldReader::digest(std::string_view key) const {
  TRY_ASSIGN(std::string text, string(key));
  auto d = base::Digest::parse(text);
  if (!d) return make_error("field \"" + field_path(key) + "\": " + d.error().message);
  return *d;
}

Result<std::vector<std::string>> FieldReader::string_list(std::string_view key) const {
  std::vector<std::string> out;
  const nlohmann::json* v = find(key);
  if (!v) return out;
  if (!v->is_array()) return type_error(key, "an array of strings", *v);
  for (size_t i = 0; i < v->size(); ++i) {
    const auto& item = (*v)[i];
    if (!item.is_string())
      return make_error("field \"" + field_path(key) + "[" + std::to_string(i) +
                        "]\": expected a string, got " + item.type_name());
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<std::map<std::string, std::string>> FieldReader::string_map(std::string_view key) const {
  std::map<std::string, std::string> out;
  const nlohmann::json* v = find(key);
  if (!v) return out;
  if (!v->is_object()) return type_error(key, "an object of strings", *v);
  for (const auto& [k, item] : v->items()) {
    if (!item.is_string())
      return make_error("field \"" + field_path(key) + "." + k + "\": expected a string, got " +
                        item.type_name());
    out.emplace(k, item.get<std::string>());
  }
  return out;
}

Result<std::set<std::string>> FieldReader::key_set(std::string_view key) const {
  std::set<std::string> out;
  const nlohmann::json* v = find(key);
  if (!v) return out;
  if (!v->is_object()) return type_error(key, "an object", *v);
  for (const auto& [k, item] : v->items()) {
    if (!item.is_object() && !item.is_null())
      return make_error("field \"" + field_path(key) + "." + k + "\": expected an object, got " +
                        item.type_name());
    out.insert(k);
  }
  return out;
}

Result<std::optional<FieldReader>> FieldReader::opt_object(std::string_view key) const {
  const nlohmann::json* v = find(key);
  if (!v) return std::optional<FieldReader>();
  if (!v->is_object()) return type_error(key, "an object", *v);
  return std::optional<FieldReader>(FieldReader(v, field_path(key)));
}

Result<FieldReader> FieldReader::object(std::string_view key) const {
  TRY_ASSIGN(auto v, opt_object(key));
  if (!v) return make_error("field \"" + field_path(key) + "\" is required");
  return *v;
}

Result<std::vector<FieldReader>> FieldReader::object_list(std::string_view key) const {
  std::vector<FieldReader> out;
  const nlohmann::json* v = find(key);
  if (!v) return out;
  if (!v->is_array()) return type_error(key, "an array of objects", *v);
  for (size_t i = 0; i < v->size(); ++i) {
    std::string path = field_path(key) + "[" + std::to_string(i) + "]";
    TRY_ASSIGN(auto reader, FieldReader::make((*v)[i], std::move(path)));
    out.push_back(reader);
  }
  return out;
}

nlohmann::json FieldReader::unknown(std::initializer_list<std::string_view> known) const {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [k, item] : m_object->items()) {
    bool is_known = false;
    for (std::string_view name : known) is_known = is_known || name == k;
    if (!is_known) out[k] = item;
  }
  return out;
}

}  // namespace oci
