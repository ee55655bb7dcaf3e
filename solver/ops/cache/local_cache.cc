#include "solver/ops/cache/local_cache.h"

#include <filesystem>
#include <mutex>

#include "content/export/archive_in.h"
#include "content/export/layout.h"
#include "oci/manifest.h"
#include "oci/media_types.h"

namespace solver::ops::cache {
namespace {

namespace archives = content::archives;

std::string blob_entry(const base::Digest& digest) { return "blobs/sha256/" + digest.hex(); }

// The layout directory as `kiln load` reads it: every blob verified against
// its digest on its way into the store, entry names kept inside the directory.
class LocalDirSource final : public CacheBlobSource {
 public:
  static base::Result<std::unique_ptr<LocalDirSource>> open(const std::string& dir,
                                                             const content::ContentStore& store) {
    std::unique_ptr<LocalDirSource> opened(new LocalDirSource(dir));
    TRY_ASSIGN(opened->m_source, archives::open_layout_dir(dir, store, opened->m_log));
    return opened;
  }
  base::Result<std::string> read_small(const std::string& path) {
    std::lock_guard lock(m_mutex);
    return m_source->read_small(path);
  }
  std::string name() const override { return "local cache " + m_dir; }
  base::Result<void> fetch(const oci::Descriptor& blob, const content::ContentStore&) override {
    std::lock_guard lock(m_mutex);  // a source serves one thread at a time
    TRY(m_source->ingest(blob_entry(blob.digest), content::BlobInfo{blob.digest, blob.size}));
    return {};
  }

 private:
  explicit LocalDirSource(std::string dir) : m_dir(std::move(dir)) {}

  std::string m_dir;
  std::mutex m_mutex;
  archives::IngestLog m_log;  // borrowed by m_source
  std::unique_ptr<archives::ArchiveSource> m_source;
};

}  // namespace

base::Result<void> write_local_cache(const content::ContentStore& blobs, const oci::Descriptor& manifest,
                                     const std::string& dir, const std::string& tag) {
  return archives::write_oci_layout_dir(blobs, {archives::ExportImage{tag, manifest}}, dir);
}

base::Result<ImportedCache> open_local_cache(const std::string& dir, const std::string& tag,
                                             const content::ContentStore& store) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return base::make_error("no cache directory " + dir);
  TRY_ASSIGN(std::unique_ptr<LocalDirSource> source, LocalDirSource::open(dir, store));
  TRY_ASSIGN(std::string index_bytes, source->read_small("index.json"));
  TRY_ASSIGN(oci::Index index, base::with_context(oci::parse_index(index_bytes), dir + "/index.json"));
  std::optional<oci::Descriptor> chosen;
  for (const oci::Descriptor& desc : index.manifests) {
    auto name = desc.annotations.find(std::string(oci::k_annotation_ref_name));
    if (name != desc.annotations.end() && name->second == tag) chosen = desc;
  }
  if (!chosen) return base::make_error(dir + " has no cache tagged " + tag);
  TRY(source->fetch(*chosen, store));
  TRY_ASSIGN(std::string manifest_bytes, store.read(chosen->digest));
  TRY_ASSIGN(oci::Manifest manifest, oci::parse_manifest(manifest_bytes));
  if (manifest.config.media_type != k_media_cache_config)
    return base::make_error(dir + ": " + tag + " is not a kiln build cache (config " + manifest.config.media_type + ")");
  TRY(source->fetch(manifest.config, store));
  TRY_ASSIGN(std::string config_bytes, store.read(manifest.config.digest));
  TRY_ASSIGN(CacheConfig config, base::with_context(parse_cache_config(config_bytes), dir + " cache config"));
  return ImportedCache{std::move(config), std::move(source)};
}

}  // namespace solver::ops::cache
