#include "content/export/load.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "content/export/layout.h"
#include "content/file_ops.h"
#include "oci/image_config.h"
#include "oci/manifest.h"
#include "oci/media_types.h"

namespace content::archives {

namespace {

constexpr int k_max_index_depth = 8;
constexpr size_t k_chunk = 1 << 16;

std::string blob_entry(const base::Digest& digest) {
  return "blobs/" + digest.algorithm() + "/" + digest.hex();
}

struct ReadDeleter {
  void operator()(::archive* a) const { archive_read_free(a); }
};

// The digest of a layer's uncompressed tar (its diff id), decompressing
// gzip, zstd and friends on the way.
Result<base::Digest> diff_id_of(const ContentStore& store, const base::Digest& blob) {
  std::string path = store.blob_path(blob);
  std::unique_ptr<::archive, ReadDeleter> a(archive_read_new());
  if (!a) return base::make_error("cannot create a decompressor");
  archive_read_support_filter_all(a.get());
  archive_read_support_format_raw(a.get());
  ::archive_entry* e = nullptr;
  if (archive_read_open_filename(a.get(), path.c_str(), k_chunk) != ARCHIVE_OK ||
      archive_read_next_header(a.get(), &e) != ARCHIVE_OK) {
    const char* msg = archive_error_string(a.get());
    return base::make_error("cannot decompress layer " + blob.str() + ": " + (msg ? msg : "unknown error"));
  }
  base::Sha256 hash;
  std::string buf(k_chunk, '\0');
  for (;;) {
    la_ssize_t n = archive_read_data(a.get(), buf.data(), buf.size());
    if (n < 0) {
      const char* msg = archive_error_string(a.get());
      return base::make_error("cannot decompress layer " + blob.str() + ": " + (msg ? msg : "unknown error"));
    }
    if (n == 0) return hash.finish();
    hash.update(buf.data(), static_cast<size_t>(n));
  }
}

// The OCI layer media type for a layer file, from its first bytes.
Result<std::string> sniff_layer_type(const ContentStore& store, const BlobInfo& blob, const std::string& entry) {
  TRY_ASSIGN(auto fd, open_file(store.blob_path(blob.digest), O_RDONLY | O_CLOEXEC));
  unsigned char magic[6] = {};
  size_t have = 0;
  while (have < sizeof magic) {
    TRY_ASSIGN(size_t n, read_some(fd.get(), reinterpret_cast<char*>(magic) + have, sizeof magic - have,
                                   store.blob_path(blob.digest)));
    if (n == 0) break;
    have += n;
  }
  if (have >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) return std::string(oci::k_media_oci_layer_gzip);
  if (have >= 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
    return std::string(oci::k_media_oci_layer_zstd);
  if ((have >= 3 && magic[0] == 'B' && magic[1] == 'Z' && magic[2] == 'h') ||
      (have >= 6 && magic[0] == 0xfd && magic[1] == '7' && magic[2] == 'z' && magic[3] == 'X'))
    return base::make_error("layer " + entry + " is compressed with bzip2 or xz, which image layers cannot carry");
  return std::string(oci::k_media_oci_layer_tar);
}

Result<void> add_name(std::vector<std::string>& names, std::string_view raw, const LoadOptions& options) {
  std::string name(raw);
  if (options.normalize_name) {
    TRY_ASSIGN(name, with_context(options.normalize_name(raw), "image name \"" + std::string(raw) + "\""));
  }
  if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  return {};
}

// Adds `target` under `names`, merging with an earlier entry of the same digest.
void merge(std::vector<LoadedImage>& out, const oci::Descriptor& target, const std::vector<std::string>& names) {
  for (auto& image : out) {
    if (image.target.digest != target.digest) continue;
    for (const auto& n : names)
      if (std::find(image.names.begin(), image.names.end(), n) == image.names.end()) image.names.push_back(n);
    image.named = !image.names.empty();
    return;
  }
  oci::Descriptor plain;
  plain.media_type = target.media_type;
  plain.digest = target.digest;
  plain.size = target.size;
  out.push_back(LoadedImage{names, !names.empty(), plain});
}

class OciReader {
 public:
  OciReader(const ContentStore& store, ArchiveSource& source) : m_store(store), m_source(source) {}

  Result<void> import(const oci::Descriptor& d, int depth) {
    if (depth > k_max_index_depth)
      return base::make_error("image indexes in " + m_source.what() + " nest deeper than " +
                              std::to_string(k_max_index_depth));
    TRY(m_source.ingest(blob_entry(d.digest), BlobInfo{d.digest, d.size}));
    if (oci::is_manifest(d.media_type)) {
      TRY_ASSIGN(std::string bytes, m_store.read(d.digest));
      TRY_ASSIGN(auto manifest, with_context(oci::parse_manifest(bytes), "manifest " + d.digest.str()));
      TRY(m_source.ingest(blob_entry(manifest.config.digest), BlobInfo{manifest.config.digest, manifest.config.size}));
      for (const auto& layer : manifest.layers) {
        TRY_ASSIGN(bool present, m_source.has(blob_entry(layer.digest)));
        if (!present && !layer.urls.empty()) continue;  // a foreign layer, fetched from its urls
        TRY(m_source.ingest(blob_entry(layer.digest), BlobInfo{layer.digest, layer.size}));
      }
      if (oci::is_config(manifest.config.media_type)) {
        TRY_ASSIGN(std::string config_bytes, m_store.read(manifest.config.digest));
        TRY_ASSIGN(auto config, with_context(oci::parse_image_config(config_bytes),
                                             "config " + manifest.config.digest.str()));
        if (config.rootfs.diff_ids.size() != manifest.layers.size())
          return base::make_error("manifest " + d.digest.str() + " in " + m_source.what() + " has " +
                                  std::to_string(manifest.layers.size()) + " layers but its config lists " +
                                  std::to_string(config.rootfs.diff_ids.size()));
      }
      return {};
    }
    if (oci::is_index(d.media_type)) {
      TRY_ASSIGN(std::string bytes, m_store.read(d.digest));
      TRY_ASSIGN(auto index, with_context(oci::parse_index(bytes), "index " + d.digest.str()));
      for (const auto& child : index.manifests) {
        // A multi-platform image may be saved with some platforms only.
        TRY_ASSIGN(bool present, m_source.has(blob_entry(child.digest)));
        if (!present) continue;
        if (oci::is_manifest(child.media_type) || oci::is_index(child.media_type)) {
          TRY(import(child, depth + 1));
        } else {
          TRY(m_source.ingest(blob_entry(child.digest), BlobInfo{child.digest, child.size}));
        }
      }
      return {};
    }
    return base::make_error(m_source.what() + " lists " + d.digest.str() + " with media type \"" + d.media_type +
                            "\", which is neither a manifest nor an index");
  }

 private:
  const ContentStore& m_store;
  ArchiveSource& m_source;
};

Result<std::vector<LoadedImage>> read_oci(const ContentStore& store, ArchiveSource& source,
                                          const LoadOptions& options) {
  TRY_ASSIGN(std::string bytes, source.read_small("index.json"));
  TRY_ASSIGN(auto index, with_context(oci::parse_index(bytes), "index.json of " + source.what()));
  OciReader reader(store, source);
  std::vector<LoadedImage> out;
  for (const auto& d : index.manifests) {
    TRY(reader.import(d, 0));
    std::vector<std::string> names;
    auto name = d.annotations.find(std::string(k_annotation_image_name));
    if (name == d.annotations.end()) name = d.annotations.find(std::string(oci::k_annotation_ref_name));
    if (name != d.annotations.end() && !name->second.empty()) TRY(add_name(names, name->second, options));
    merge(out, d, names);
  }
  return out;
}

Result<std::vector<LoadedImage>> read_docker(const ContentStore& store, ArchiveSource& source, IngestLog& log,
                                             const LoadOptions& options) {
  TRY_ASSIGN(std::string bytes, source.read_small("manifest.json"));
  std::string where = "manifest.json of " + source.what();
  nlohmann::json items = nlohmann::json::parse(bytes, nullptr, false);
  if (items.is_discarded() || !items.is_array()) return base::make_error(where + " is not a JSON array");
  std::vector<LoadedImage> out;
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& item = items[i];
    std::string at = where + ", item " + std::to_string(i);
    if (!item.is_object() || !item.contains("Config") || !item["Config"].is_string() || !item.contains("Layers") ||
        !item["Layers"].is_array())
      return base::make_error(at + ": needs a \"Config\" string and a \"Layers\" array");
    TRY_ASSIGN(std::string config_path, with_context(clean_entry_name(item["Config"].get<std::string>()), at));
    TRY_ASSIGN(auto config_info, source.ingest(config_path, std::nullopt));
    TRY_ASSIGN(std::string config_bytes, store.read(config_info.digest));
    TRY_ASSIGN(auto config, with_context(oci::parse_image_config(config_bytes), "config " + config_path));
    const auto& layers = item["Layers"];
    if (layers.size() != config.rootfs.diff_ids.size())
      return base::make_error(at + " lists " + std::to_string(layers.size()) + " layers but config " +
                              config_path + " has " + std::to_string(config.rootfs.diff_ids.size()) + " diff ids");
    oci::Manifest manifest;
    manifest.media_type = std::string(oci::k_media_oci_manifest);
    manifest.config.media_type = std::string(oci::k_media_oci_config);
    manifest.config.digest = config_info.digest;
    manifest.config.size = config_info.size;
    for (size_t l = 0; l < layers.size(); ++l) {
      if (!layers[l].is_string()) return base::make_error(at + ": layer " + std::to_string(l) + " is not a path");
      TRY_ASSIGN(std::string path, with_context(clean_entry_name(layers[l].get<std::string>()), at));
      TRY_ASSIGN(auto info, source.ingest(path, std::nullopt));
      TRY_ASSIGN(std::string media_type, with_context(sniff_layer_type(store, info, path), source.what()));
      base::Digest diff_id = info.digest;
      if (media_type != oci::k_media_oci_layer_tar) {
        TRY_ASSIGN(diff_id, with_context(diff_id_of(store, info.digest), "layer " + path));
      }
      if (diff_id != config.rootfs.diff_ids[l])
        return base::make_error("layer " + path + " of " + source.what() + " does not match config " + config_path +
                                ": its tar is " + diff_id.str() + ", the config expects " +
                                config.rootfs.diff_ids[l].str());
      oci::Descriptor d;
      d.media_type = media_type;
      d.digest = info.digest;
      d.size = info.size;
      manifest.layers.push_back(std::move(d));
    }
    std::string manifest_bytes = oci::serialize(manifest);
    oci::Descriptor target = oci::describe(manifest.media_type, manifest_bytes);
    TRY_ASSIGN(bool present, store.exists(target.digest));
    WriterOptions w;
    w.guard = options.guard;
    TRY(store.write_blob(manifest_bytes, w));
    if (!present) log.created.insert(target.digest);
    std::vector<std::string> names;
    if (item.contains("RepoTags") && item["RepoTags"].is_array()) {
      for (const auto& tag : item["RepoTags"]) {
        if (!tag.is_string()) return base::make_error(at + ": RepoTags holds a non-string");
        TRY(add_name(names, tag.get<std::string>(), options));
      }
    }
    merge(out, target, names);
  }
  return out;
}

// Removes blobs this load added; used when it fails, and at the end for
// added blobs no loaded image needs (the legacy per-layer json of docker
// archives, for one).
void remove_created(const ContentStore& store, const IngestLog& log, const std::set<base::Digest>& keep) {
  for (const auto& d : log.created) {
    if (keep.count(d)) continue;
    // Best effort: a blob left behind is garbage that gc removes later.
    (void)store.remove(d);
  }
}

Result<std::vector<LoadedImage>> finish_load(const ContentStore& store, ImageStore& images, ArchiveSource* source,
                                             IngestLog& log, const LoadOptions& options) {
  auto loaded = read_images(store, *source, log, options);
  if (!loaded) {
    remove_created(store, log, {});
    return loaded;
  }
  std::set<base::Digest> keep;
  for (const auto& image : *loaded) {
    auto blobs = image_blobs(store, image.target);
    if (!blobs) {
      remove_created(store, log, {});
      return with_context(Result<std::vector<LoadedImage>>(std::move(blobs).error()), source->what());
    }
    keep.insert(blobs->begin(), blobs->end());
  }
  remove_created(store, log, keep);
  for (auto& image : *loaded) {
    // An image without a name is kept under its ID, as a build without -t
    // keeps it: the config digest (docker's image ID) for a manifest, the
    // digest of an index otherwise.
    if (image.names.empty()) {
      std::string id = image.target.digest.str();
      if (oci::is_manifest(image.target.media_type)) {
        TRY_ASSIGN(std::string bytes, store.read(image.target.digest));
        TRY_ASSIGN(oci::Manifest manifest, oci::parse_manifest(bytes));
        id = manifest.config.digest.str();
      }
      image.names.push_back(id);
    }
    for (const auto& name : image.names) TRY(images.tag(name, image.target));
  }
  return loaded;
}

}  // namespace

Result<std::vector<LoadedImage>> read_images(const ContentStore& store, ArchiveSource& source, IngestLog& log,
                                             const LoadOptions& options) {
  TRY_ASSIGN(bool has_index, source.has("index.json"));
  TRY_ASSIGN(bool has_manifest, source.has("manifest.json"));
  if (has_index) {
    auto oci = read_oci(store, source, options);
    // Some Docker 25 builds of `docker save` wrote OCI manifests listing
    // foreign layers only; their manifest.json is right, so it is the fallback.
    if (oci || !has_manifest) return oci;
  }
  if (has_manifest) return read_docker(store, source, log, options);
  return base::make_error(source.what() + " is neither an OCI layout nor a docker archive: it has no index.json "
                          "or manifest.json");
}

Result<std::vector<LoadedImage>> load_archive_fd(const ContentStore& store, ImageStore& images, int fd,
                                                 const std::string& what, const LoadOptions& options) {
  IngestLog log;
  auto source = scan_tar(fd, what, store, log, SourceOptions{options.guard});
  if (!source) {
    remove_created(store, log, {});
    return std::move(source).error();
  }
  return finish_load(store, images, source->get(), log, options);
}

Result<std::vector<LoadedImage>> load_archive(const ContentStore& store, ImageStore& images, const std::string& path,
                                              const LoadOptions& options) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return errno_error("cannot load", path, errno);
  if (S_ISDIR(st.st_mode)) {
    IngestLog log;
    TRY_ASSIGN(auto source, open_layout_dir(path, store, log, SourceOptions{options.guard}));
    return finish_load(store, images, source.get(), log, options);
  }
  TRY_ASSIGN(auto fd, open_file(path, O_RDONLY | O_CLOEXEC));
  return load_archive_fd(store, images, fd.get(), "archive " + path, options);
}

}  // namespace content::archives
