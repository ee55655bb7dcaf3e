#include "solver/ops/cache/local_cache.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <filesystem>

#include "content/file_ops.h"
#include "oci/json_fields.h"
#include "oci/manifest.h"
#include "oci/media_types.h"

namespace solver::ops::cache {
namespace {

constexpr const char* k_ref_name = "org.opencontainers.image.ref.name";

std::string blob_path(const std::string& dir, const base::Digest& digest) {
  return dir + "/blobs/sha256/" + digest.hex();
}

// Writes `bytes` to `path` through a temporary file and a rename, so a
// reader never sees half a file.
base::Result<void> write_file_atomically(const std::string& path, std::string_view bytes) {
  std::string tmp = path + ".tmp-" + content::random_hex();
  {
    TRY_ASSIGN(base::UniqueFd fd, content::open_file(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    TRY(content::write_all(fd.get(), bytes, tmp));
    TRY(content::fsync_fd(fd.get(), tmp));
  }
  return content::rename_file(tmp, path);
}

// Copies a blob from the store unless the directory has it already.
base::Result<void> copy_blob_out(const content::ContentStore& blobs, const base::Digest& digest,
                                 const std::string& dir) {
  std::string path = blob_path(dir, digest);
  TRY_ASSIGN(content::BlobInfo info, blobs.info(digest));
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && st.st_size == info.size) return {};
  TRY_ASSIGN(content::BlobReader reader, blobs.open_reader(digest));
  std::string tmp = path + ".tmp-" + content::random_hex();
  {
    TRY_ASSIGN(base::UniqueFd fd, content::open_file(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    std::string buf(1 << 20, '\0');
    for (;;) {
      TRY_ASSIGN(size_t n, reader.read(buf.data(), buf.size()));
      if (n == 0) break;
      TRY(content::write_all(fd.get(), std::string_view(buf.data(), n), tmp));
    }
    TRY(content::fsync_fd(fd.get(), tmp));
  }
  return content::rename_file(tmp, path);
}

base::Result<nlohmann::json> read_index(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir + "/index.json", ec))
    return nlohmann::json{{"schemaVersion", 2}, {"mediaType", std::string(oci::k_media_oci_index)},
                          {"manifests", nlohmann::json::array()}};
  TRY_ASSIGN(base::UniqueFd fd, content::open_file(dir + "/index.json", O_RDONLY | O_CLOEXEC));
  std::string text;
  char buf[65536];
  for (;;) {
    TRY_ASSIGN(size_t n, content::read_some(fd.get(), buf, sizeof buf, dir + "/index.json"));
    if (n == 0) break;
    text.append(buf, n);
  }
  auto parsed = oci::parse_json(text);
  if (!parsed.ok() || !parsed->is_object() || !(*parsed)["manifests"].is_array())
    return base::make_error(dir + "/index.json is not an OCI image index");
  return *parsed;
}

class LocalDirSource final : public CacheBlobSource {
 public:
  explicit LocalDirSource(std::string dir) : m_dir(std::move(dir)) {}
  std::string name() const override { return "local cache " + m_dir; }
  base::Result<void> fetch(const oci::Descriptor& blob, const content::ContentStore& store) override {
    std::string path = blob_path(m_dir, blob.digest);
    TRY_ASSIGN(base::UniqueFd fd, content::open_file(path, O_RDONLY | O_CLOEXEC));
    content::WriterOptions options;
    options.expected_digest = blob.digest;
    options.expected_size = blob.size;
    TRY_ASSIGN(content::BlobWriter writer, store.writer(options));
    std::string buf(1 << 20, '\0');
    for (;;) {
      TRY_ASSIGN(size_t n, content::read_some(fd.get(), buf.data(), buf.size(), path));
      if (n == 0) break;
      TRY(writer.write(std::string_view(buf.data(), n)));
    }
    TRY(writer.commit());
    return {};
  }
  base::Result<std::string> read_verified(const oci::Descriptor& blob) {
    std::string path = blob_path(m_dir, blob.digest);
    TRY_ASSIGN(base::UniqueFd fd, content::open_file(path, O_RDONLY | O_CLOEXEC));
    std::string text;
    char buf[65536];
    for (;;) {
      TRY_ASSIGN(size_t n, content::read_some(fd.get(), buf, sizeof buf, path));
      if (n == 0) break;
      text.append(buf, n);
      if (text.size() > (64u << 20)) return base::make_error(path + " is too large for a cache document");
    }
    if (base::Sha256::of(text) != blob.digest)
      return base::make_error(path + " does not match its digest " + blob.digest.str());
    return text;
  }

 private:
  std::string m_dir;
};

}  // namespace

base::Result<void> write_local_cache(const content::ContentStore& blobs, const oci::Descriptor& manifest,
                                     const std::string& dir, const std::string& tag) {
  TRY(content::make_dirs(dir + "/blobs/sha256"));
  TRY_ASSIGN(std::string manifest_bytes, blobs.read(manifest.digest));
  TRY_ASSIGN(oci::Manifest parsed, oci::parse_manifest(manifest_bytes));
  for (const oci::Descriptor& layer : parsed.layers) TRY(copy_blob_out(blobs, layer.digest, dir));
  TRY(copy_blob_out(blobs, parsed.config.digest, dir));
  TRY(copy_blob_out(blobs, manifest.digest, dir));
  TRY(write_file_atomically(dir + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})"));
  TRY_ASSIGN(nlohmann::json index, read_index(dir));
  nlohmann::json kept = nlohmann::json::array();
  for (const nlohmann::json& entry : index["manifests"]) {
    bool same_tag = entry.is_object() && entry.contains("annotations") && entry["annotations"].is_object() &&
                    entry["annotations"].value(k_ref_name, std::string()) == tag;
    if (!same_tag) kept.push_back(entry);
  }
  oci::Descriptor entry = manifest;
  entry.annotations[k_ref_name] = tag;
  kept.push_back(oci::to_json(entry));
  index["manifests"] = std::move(kept);
  return write_file_atomically(dir + "/index.json", index.dump(2) + "\n");
}

base::Result<ImportedCache> open_local_cache(const std::string& dir, const std::string& tag) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return base::make_error("no cache directory " + dir);
  TRY_ASSIGN(nlohmann::json index, read_index(dir));
  std::optional<oci::Descriptor> chosen;
  for (const nlohmann::json& entry : index["manifests"]) {
    TRY_ASSIGN(oci::FieldReader fields, oci::FieldReader::make(entry, "index.json manifests[]"));
    TRY_ASSIGN(oci::Descriptor desc, oci::read_descriptor(fields));
    auto name = desc.annotations.find(k_ref_name);
    if (name != desc.annotations.end() && name->second == tag) chosen = desc;
  }
  if (!chosen) return base::make_error(dir + " has no cache tagged " + tag);
  auto source = std::make_unique<LocalDirSource>(dir);
  TRY_ASSIGN(std::string manifest_bytes, source->read_verified(*chosen));
  TRY_ASSIGN(oci::Manifest manifest, oci::parse_manifest(manifest_bytes));
  if (manifest.config.media_type != k_media_cache_config)
    return base::make_error(dir + ": " + tag + " is not a kiln build cache (config " + manifest.config.media_type + ")");
  TRY_ASSIGN(std::string config_bytes, source->read_verified(manifest.config));
  TRY_ASSIGN(CacheConfig config, base::with_context(parse_cache_config(config_bytes), dir + " cache config"));
  return ImportedCache{std::move(config), std::move(source)};
}

}  // namespace solver::ops::cache
