#include "content/export/layout.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>

#include "content/export/tar_out.h"
#include "content/file_ops.h"
#include "content/image_store.h"
#include "oci/manifest.h"
#include "oci/media_types.h"

namespace content::archives {

namespace {

constexpr size_t k_chunk = 1 << 16;

std::string blob_entry(const base::Digest& digest) {
  return "blobs/" + digest.algorithm() + "/" + digest.hex();
}

oci::Descriptor index_entry(const ExportImage& image) {
  oci::Descriptor d;
  d.media_type = image.target.media_type;
  d.digest = image.target.digest;
  d.size = image.target.size;
  d.platform = image.target.platform;
  if (!image.name.empty()) {
    d.annotations[std::string(k_annotation_image_name)] = image.name;
    d.annotations[std::string(oci::k_annotation_ref_name)] = oci_ref_name(image.name);
  }
  return d;
}

// Whether an existing index.json entry names the same image as one of ours
// and must give way to it.
bool replaced_by(const oci::Descriptor& old, const std::vector<ExportImage>& images) {
  auto get = [&](std::string_view key) -> std::string {
    auto it = old.annotations.find(std::string(key));
    return it == old.annotations.end() ? std::string() : it->second;
  };
  std::string old_name = get(k_annotation_image_name);
  std::string old_ref = get(oci::k_annotation_ref_name);
  for (const auto& image : images) {
    if (image.name.empty()) {
      if (old_name.empty() && old_ref.empty() && old.digest == image.target.digest) return true;
    } else if (old_name == image.name || (old_name.empty() && old_ref == oci_ref_name(image.name))) {
      return true;
    }
  }
  return false;
}

Result<void> copy_blob_to_file(const ContentStore& store, const BlobInfo& blob, const std::string& path) {
  return write_file_atomically(path, [&](int fd) -> Result<void> {
    TRY_ASSIGN(auto reader, store.open_reader(blob.digest));
    std::string buf(k_chunk, '\0');
    for (;;) {
      TRY_ASSIGN(size_t n, reader.read(buf.data(), buf.size()));
      if (n == 0) return {};
      TRY(write_all(fd, std::string_view(buf.data(), n), path));
    }
  });
}

}  // namespace

std::string oci_ref_name(std::string_view name) {
  size_t slash = name.rfind('/');
  if (slash == std::string_view::npos) return std::string(name);
  std::string_view last = name.substr(slash + 1);
  size_t at = last.find('@');
  size_t colon = last.substr(0, at).find(':');
  std::string_view object;
  if (colon != std::string_view::npos) {
    object = last.substr(colon + 1);
  } else if (at != std::string_view::npos) {
    object = last.substr(at);
  }
  return object.empty() ? std::string(name) : std::string(object);
}

Result<std::vector<BlobInfo>> export_blobs(const ContentStore& store, const std::vector<ExportImage>& images) {
  std::set<base::Digest> digests;
  for (const auto& image : images) {
    std::string what = image.name.empty() ? image.target.digest.str() : image.name;
    if (!oci::is_manifest(image.target.media_type) && !oci::is_index(image.target.media_type))
      return base::make_error("cannot export " + what + ": media type \"" + image.target.media_type +
                              "\" is neither a manifest nor an index");
    TRY_ASSIGN(auto needed, with_context(image_blobs(store, image.target), "exporting " + what));
    digests.insert(needed.begin(), needed.end());
    TRY_ASSIGN(auto root, with_context(store.info(image.target.digest), "exporting " + what));
    if (root.size != image.target.size)
      return base::make_error("cannot export " + what + ": its descriptor says " +
                              std::to_string(image.target.size) + " bytes but " + root.digest.str() +
                              " has " + std::to_string(root.size));
  }
  std::vector<BlobInfo> out;
  out.reserve(digests.size());
  for (const auto& d : digests) {
    TRY_ASSIGN(auto info, store.info(d));
    out.push_back(info);
  }
  return out;
}

std::string oci_index_json(const std::vector<ExportImage>& images, const std::vector<oci::Descriptor>& extra) {
  oci::Index index;
  index.media_type = std::string(oci::k_media_oci_index);
  index.manifests = extra;
  for (const auto& image : images) index.manifests.push_back(index_entry(image));
  return oci::serialize(index);
}

Result<void> write_file_atomically(const std::string& path, const std::function<Result<void>(int)>& fill) {
  std::string tmp = path + ".tmp-" + random_hex();
  auto write = [&]() -> Result<void> {
    TRY_ASSIGN(auto fd, open_file(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    TRY(fill(fd.get()));
    TRY(fsync_fd(fd.get(), tmp));
    fd.reset();
    return rename_file(tmp, path);
  };
  auto r = write();
  if (!r) {
    // The temporary file is ours alone; a failure to remove it changes nothing
    // about the error worth reporting.
    (void)remove_file(tmp);
  }
  return r;
}

Result<void> write_oci_layout_dir(const ContentStore& store, const std::vector<ExportImage>& images,
                                  const std::string& dest_dir) {
  TRY_ASSIGN(auto blobs, export_blobs(store, images));
  TRY(make_dirs(dest_dir + "/blobs/sha256"));
  for (const auto& blob : blobs) {
    std::string path = dest_dir + "/" + blob_entry(blob.digest);
    struct stat st {};
    // Blobs are named by content: one of the right size is the same blob
    // written by an earlier export, and is kept.
    if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == blob.size) continue;
    TRY(with_context(copy_blob_to_file(store, blob, path), "exporting to " + dest_dir));
  }
  std::vector<oci::Descriptor> kept;
  std::string index_path = dest_dir + "/index.json";
  if (::access(index_path.c_str(), F_OK) == 0) {
    auto fd = open_file(index_path, O_RDONLY | O_CLOEXEC);
    if (!fd) return fd.error();
    std::string bytes;
    char buf[65536];
    for (;;) {
      TRY_ASSIGN(size_t n, read_some(fd->get(), buf, sizeof buf, index_path));
      if (n == 0) break;
      bytes.append(buf, n);
    }
    TRY_ASSIGN(auto old, with_context(oci::parse_index(bytes), "reading " + index_path));
    for (auto& d : old.manifests)
      if (!replaced_by(d, images)) kept.push_back(std::move(d));
  }
  TRY(write_file_atomically(dest_dir + "/oci-layout", [&](int fd) {
    return write_all(fd, k_oci_layout_file, dest_dir + "/oci-layout");
  }));
  std::string index = oci_index_json(images, kept);
  return write_file_atomically(index_path, [&](int fd) { return write_all(fd, index, index_path); });
}

Result<void> write_oci_layout_tar(const ContentStore& store, const std::vector<ExportImage>& images, int fd) {
  TRY_ASSIGN(auto blobs, export_blobs(store, images));
  TRY_ASSIGN(auto tar, TarOut::open_fd(fd, "OCI archive"));
  // Sorted by path: "blobs/" < "index.json" < "oci-layout".
  TRY(tar.add_dir("blobs/"));
  TRY(tar.add_dir("blobs/sha256/"));
  for (const auto& blob : blobs) TRY(tar.add_blob(blob_entry(blob.digest), store, blob));
  TRY(tar.add_bytes("index.json", oci_index_json(images)));
  TRY(tar.add_bytes("oci-layout", k_oci_layout_file));
  return tar.finish();
}

Result<void> write_oci_layout_tar(const ContentStore& store, const std::vector<ExportImage>& images,
                                  const std::string& path) {
  return with_context(write_file_atomically(path, [&](int fd) { return write_oci_layout_tar(store, images, fd); }),
                      "writing " + path);
}

}  // namespace content::archives
