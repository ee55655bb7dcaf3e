#pragma once
// Strict, typed access to the fields of one JSON object, for parsing the OCI
// documents. Every error names the dotted path of the offending field
// ("layers[2].digest: expected a string, got number"), so a malformed manifest
// is reported precisely and never crashes. JSON `null` counts as absent, as it
// does for Go's encoding/json, which produced most documents we read.
//
// A FieldReader borrows the json value it reads; keep that value alive.

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/digest.h"
#include "base/result.h"

namespace oci {

using base::Result;

// Parses JSON text; the error gives the byte offset of the syntax error.
Result<nlohmann::json> parse_json(std::string_view bytes);

// The canonical bytes of a JSON value: object keys sorted (nlohmann's objects
// are ordered maps), no insignificant whitespace, UTF-8 kept as is (invalid
// sequences become U+FFFD, as Go's encoder does). Equal values always give
// equal bytes, so digests of documents we write are reproducible.
std::string canonical_json(const nlohmann::json& value);

class FieldReader {
 public:
  // `path` is the location of `object` itself ("" for the document root).
  static Result<FieldReader> make(const nlohmann::json& object, std::string path);

  bool has(std::string_view key) const;

  Result<std::string> string(std::string_view key) const;
  Result<std::optional<std::string>> opt_string(std::string_view key) const;
  Result<int64_t> int64(std::string_view key) const;
  Result<std::optional<int64_t>> opt_int64(std::string_view key) const;
  Result<std::optional<bool>> opt_bool(std::string_view key) const;
  Result<base::Digest> digest(std::string_view key) const;
  // Absent or null lists and maps read as empty.
  Result<std::vector<std::string>> string_list(std::string_view key) const;
  Result<std::map<std::string, std::string>> string_map(std::string_view key) const;
  // A JSON object used as a set ({"80/tcp": {}}): its keys; the values must be objects.
  Result<std::set<std::string>> key_set(std::string_view key) const;
  Result<FieldReader> object(std::string_view key) const;
  Result<std::optional<FieldReader>> opt_object(std::string_view key) const;
  Result<std::vector<FieldReader>> object_list(std::string_view key) const;

  // The members whose keys are not in `known`, for documents whose unknown
  // fields we carry through unchanged.
  nlohmann::json unknown(std::initializer_list<std::string_view> known) const;

  const std::string& path() const { return m_path; }
  std::string field_path(std::string_view key) const;

 private:
  FieldReader(const nlohmann::json* object, std::string path)
      : m_object(object), m_path(std::move(path)) {}
  // The member, or nullptr when absent or null.
  const nlohmann::json* find(std::string_view key) const;
  base::Error type_error(std::string_view key, std::string_view expected,
                         const nlohmann::json& got) const;

  const nlohmann::json* m_object;
  std::string m_path;
};

}  // namespace oci
