#include "cli/cache_flags.h"

#include <charconv>
#include <map>

#include "cli/build_outputs.h"

namespace cli {
namespace {

// KEY=VALUE fields; a spec without "=" is a registry reference alone.
base::Result<std::map<std::string, std::string>> fields_of(const std::string& flag, const std::string& spec) {
  std::map<std::string, std::string> fields;
  if (spec.empty()) return base::make_error(flag + " needs a value");
  if (spec.find('=') == std::string::npos) {
    fields["type"] = "registry";
    fields["ref"] = spec;
    return fields;
  }
  for (const std::string& field : split_csv(spec)) {
    size_t eq = field.find('=');
    if (eq == std::string::npos) return base::make_error(flag + " " + spec + ": \"" + field + "\" is not key=value");
    fields[field.substr(0, eq)] = field.substr(eq + 1);
  }
  return fields;
}

base::Result<CacheStoreType> store_type(const std::string& flag, const std::string& spec,
                                        const std::map<std::string, std::string>& fields) {
  auto it = fields.find("type");
  std::string type = it == fields.end() ? "registry" : it->second;
  if (type == "registry") return CacheStoreType::registry;
  if (type == "local") return CacheStoreType::local;
  return base::make_error(flag + " " + spec + ": cache type \"" + type +
                          "\" is not supported (kiln reads and writes type=registry and type=local)");
}

base::Result<std::string> required(const std::string& flag, const std::string& spec,
                                   const std::map<std::string, std::string>& fields, const std::string& key) {
  auto it = fields.find(key);
  if (it == fields.end() || it->second.empty()) return base::make_error(flag + " " + spec + ": needs " + key + "=");
  return it->second;
}

base::Result<bool> boolean(const std::string& flag, const std::string& spec, const std::string& key,
                           const std::string& value) {
  if (value == "true") return true;
  if (value == "false") return false;
  return base::make_error(flag + " " + spec + ": " + key + " must be true or false");
}

}  // namespace

base::Result<CacheImportSpec> parse_cache_from(const std::string& spec) {
  const std::string flag = "--cache-from";
  TRY_ASSIGN(auto fields, fields_of(flag, spec));
  CacheImportSpec out;
  TRY_ASSIGN(out.type, store_type(flag, spec, fields));
  TRY_ASSIGN(out.location, required(flag, spec, fields, out.type == CacheStoreType::registry ? "ref" : "src"));
  for (const auto& [key, value] : fields) {
    if (key == "type" || key == "ref" || key == "src") continue;
    if (key == "tag" && out.type == CacheStoreType::local) {
      out.tag = value;
    } else if (key == "digest") {
      return base::make_error(flag + " " + spec + ": digest= is not supported; use tag=");
    } else {
      return base::make_error(flag + " " + spec + ": unknown option \"" + key + "\"");
    }
  }
  return out;
}

base::Result<CacheExportSpec> parse_cache_to(const std::string& spec) {
  const std::string flag = "--cache-to";
  TRY_ASSIGN(auto fields, fields_of(flag, spec));
  CacheExportSpec out;
  TRY_ASSIGN(out.type, store_type(flag, spec, fields));
  TRY_ASSIGN(out.location, required(flag, spec, fields, out.type == CacheStoreType::registry ? "ref" : "dest"));
  for (const auto& [key, value] : fields) {
    if (key == "type" || key == "ref" || key == "dest") continue;
    if (key == "mode") {
      if (value == "min") out.mode = solver::ops::cache::CacheMode::min;
      else if (value == "max") out.mode = solver::ops::cache::CacheMode::max;
      else return base::make_error(flag + " " + spec + ": mode must be min or max");
    } else if (key == "tag" && out.type == CacheStoreType::local) {
      out.tag = value;
    } else if (key == "compression") {
      auto parsed = snapshotter::layer::parse_compression(value);
      if (!parsed.ok()) return base::make_error(flag + " " + spec + ": " + parsed.error().message);
      out.compression.kind = *parsed;
    } else if (key == "compression-level") {
      int n = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || ptr != value.data() + value.size() || n < 0)
        return base::make_error(flag + " " + spec + ": compression-level must be a non-negative integer");
      out.compression.level = n;
    } else if (key == "ignore-error") {
      TRY_ASSIGN(out.ignore_error, boolean(flag, spec, key, value));
    } else if (key == "oci-mediatypes" || key == "image-manifest" || key == "force-compression") {
      // accepted: the cache is always one OCI image manifest with OCI media types
    } else {
      return base::make_error(flag + " " + spec + ": unknown option \"" + key + "\"");
    }
  }
  return out;
}

}  // namespace cli
