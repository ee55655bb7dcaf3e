#include "content/export/docker_archive.h"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "content/export/tar_out.h"
#include "oci/image_config.h"
#include "oci/manifest.h"
#include "oci/media_types.h"

namespace content::archives {

namespace {

std::string blob_entry(const base::Digest& digest) {
  return "blobs/" + digest.algorithm() + "/" + digest.hex();
}

// One manifest.json item; several names of one manifest share an item, as
// `docker save a:1 a:2` lists both tags under one image.
struct Item {
  base::Digest manifest;
  std::string config;
  std::vector<std::string> layers;
  std::vector<std::string> repo_tags;
  std::string top_diff_id;
};

}  // namespace

std::string docker_repo_tag(std::string_view name) {
  if (name.empty() || name.find('@') != std::string_view::npos) return {};
  std::string out(name);
  constexpr std::string_view k_library = "docker.io/library/";
  constexpr std::string_view k_hub = "docker.io/";
  if (out.rfind(k_library, 0) == 0 && out.find('/', k_library.size()) == std::string::npos) {
    out.erase(0, k_library.size());
  } else if (out.rfind(k_hub, 0) == 0) {
    out.erase(0, k_hub.size());
  }
  size_t slash = out.rfind('/');
  size_t colon = out.find(':', slash == std::string::npos ? 0 : slash);
  if (colon == std::string::npos) out += ":latest";
  return out;
}

Result<DockerIndexFiles> docker_index_files(const ContentStore& store, const std::vector<ExportImage>& images) {
  std::vector<Item> items;
  for (const auto& image : images) {
    std::string what = image.name.empty() ? image.target.digest.str() : image.name;
    if (!oci::is_manifest(image.target.media_type))
      return base::Error{"cannot write " + what + " to a docker archive: it is a multi-platform index (" +
                             image.target.media_type + ")",
                         std::nullopt, "choose one platform, or export it as an OCI archive"};
    Item* item = nullptr;
    for (auto& existing : items)
      if (existing.manifest == image.target.digest) item = &existing;
    if (!item) {
      TRY_ASSIGN(std::string bytes, store.read(image.target.digest));
      TRY_ASSIGN(auto manifest, with_context(oci::parse_manifest(bytes), "exporting " + what));
      TRY_ASSIGN(std::string config_bytes, store.read(manifest.config.digest));
      TRY_ASSIGN(auto config, with_context(oci::parse_image_config(config_bytes),
                                           "exporting " + what + ": config " + manifest.config.digest.str()));
      if (config.rootfs.diff_ids.size() != manifest.layers.size())
        return base::make_error("cannot export " + what + ": the manifest has " +
                                std::to_string(manifest.layers.size()) + " layers but the config lists " +
                                std::to_string(config.rootfs.diff_ids.size()) + " diff ids");
      Item fresh;
      fresh.manifest = image.target.digest;
      fresh.config = blob_entry(manifest.config.digest);
      for (const auto& layer : manifest.layers) {
        auto compression = oci::layer_compression(layer.media_type);
        if (compression == oci::Compression::zstd || compression == oci::Compression::unknown)
          return base::Error{"cannot write " + what + " to a docker archive: layer " + layer.digest.str() +
                                 " has media type \"" + layer.media_type + "\"",
                             std::nullopt,
                             "docker load reads gzip and uncompressed layers only; export it as an OCI archive"};
        fresh.layers.push_back(blob_entry(layer.digest));
      }
      if (!config.rootfs.diff_ids.empty()) fresh.top_diff_id = config.rootfs.diff_ids.back().hex();
      items.push_back(std::move(fresh));
      item = &items.back();
    }
    std::string tag = docker_repo_tag(image.name);
    if (!tag.empty() && std::find(item->repo_tags.begin(), item->repo_tags.end(), tag) == item->repo_tags.end())
      item->repo_tags.push_back(tag);
  }

  nlohmann::json manifest = nlohmann::json::array();
  // repository → tag → top layer; std::map keeps the output sorted.
  std::map<std::string, std::map<std::string, std::string>> repos;
  for (const auto& item : items) {
    nlohmann::json j;
    j["Config"] = item.config;
    j["RepoTags"] = item.repo_tags.empty() ? nlohmann::json(nullptr) : nlohmann::json(item.repo_tags);
    j["Layers"] = item.layers;
    manifest.push_back(std::move(j));
    for (const auto& tag : item.repo_tags) {
      size_t colon = tag.rfind(':');
      if (!item.top_diff_id.empty()) repos[tag.substr(0, colon)][tag.substr(colon + 1)] = item.top_diff_id;
    }
  }
  DockerIndexFiles out;
  out.manifest_json = manifest.dump() + "\n";
  out.repositories = repos.empty() ? std::string() : nlohmann::json(repos).dump() + "\n";
  return out;
}

Result<void> write_docker_archive(const ContentStore& store, const std::vector<ExportImage>& images, int fd) {
  TRY_ASSIGN(auto files, docker_index_files(store, images));
  TRY_ASSIGN(auto blobs, export_blobs(store, images));
  TRY_ASSIGN(auto tar, TarOut::open_fd(fd, "docker archive"));
  TRY(tar.add_dir("blobs/"));
  TRY(tar.add_dir("blobs/sha256/"));
  for (const auto& blob : blobs) TRY(tar.add_blob(blob_entry(blob.digest), store, blob));
  TRY(tar.add_bytes("index.json", oci_index_json(images)));
  TRY(tar.add_bytes("manifest.json", files.manifest_json));
  TRY(tar.add_bytes("oci-layout", k_oci_layout_file));
  if (!files.repositories.empty()) TRY(tar.add_bytes("repositories", files.repositories));
  return tar.finish();
}

Result<void> write_docker_archive(const ContentStore& store, const std::vector<ExportImage>& images,
                                  const std::string& path) {
  return with_context(write_file_atomically(path, [&](int fd) { return write_docker_archive(store, images, fd); }),
                      "writing " + path);
}

}  // namespace content::archives
