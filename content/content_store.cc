#include "content/content_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "content/file_ops.h"

namespace content {

namespace {

bool is_hex64(const std::string& name) {
  if (name.size() != 64) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

struct Listing {
  std::vector<std::string> blobs;
  std::vector<std::string> strays;
};

Result<Listing> list_blob_dir(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return errno_error("cannot list", dir, errno);
  Listing out;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    bool regular = e->d_type == DT_REG;
    if (e->d_type == DT_UNKNOWN) {
      struct stat st {};
      regular = ::lstat((dir + "/" + name).c_str(), &st) == 0 && S_ISREG(st.st_mode);
    }
    (regular && is_hex64(name) ? out.blobs : out.strays).push_back(std::move(name));
  }
  ::closedir(d);
  std::sort(out.blobs.begin(), out.blobs.end());
  std::sort(out.strays.begin(), out.strays.end());
  return out;
}

}  // namespace

Result<ContentStore> ContentStore::open(std::string root) {
  ContentStore store(std::move(root));
  TRY(with_context(make_dirs(store.blob_dir()), "opening content store " + store.m_root));
  TRY(with_context(store.m_tmp.init(), "opening content store " + store.m_root));
  TRY(with_context(store.m_tmp.clean(), "cleaning " + store.m_tmp.dir()));
  return store;
}

Result<void> ContentStore::check_algorithm(const base::Digest& digest) const {
  if (digest.algorithm() != "sha256" || !is_hex64(digest.hex()))
    return base::make_error("unsupported digest " + digest.str() + ": the store holds sha256 blobs");
  return {};
}

Result<BlobWriter> ContentStore::writer(WriterOptions options) const {
  if (options.expected_digest) TRY(check_algorithm(*options.expected_digest));
  TRY_ASSIGN(auto tmp, m_tmp.create_file("blob-"));
  return BlobWriter(std::move(tmp), blob_dir(), std::move(options));
}

// Whether the blob `digest` is stored with exactly `bytes`. Read verified
// and compared rather than trusted by name: a corrupt copy is written again.
// Only small documents (configs, manifests) come through here.
bool ContentStore::stored_identically(const base::Digest& digest, std::string_view bytes) const {
  auto stored = read(digest);
  return stored.ok() && *stored == bytes;
}

Result<BlobInfo> ContentStore::write_blob(std::string_view bytes, WriterOptions options) const {
  // A rebuild that changed nothing writes the same config and manifest
  // again: finding them stored spares two fsyncs each. What the writer
  // would check is checked here too, and the guard still protects the blob.
  const BlobInfo info{base::Sha256::of(bytes), static_cast<int64_t>(bytes.size())};
  const bool as_expected = (!options.expected_digest || *options.expected_digest == info.digest) &&
                           (!options.expected_size || *options.expected_size == info.size);
  if (as_expected && stored_identically(info.digest, bytes)) {
    if (options.guard) {
      TRY(with_context(options.guard->protect(info.digest), "protecting blob " + info.digest.str()));
    }
    // Protected now; a garbage collection that removed it before that
    // leaves it missing, and it is written below.
    TRY_ASSIGN(bool still_there, exists(info.digest));
    if (still_there) return info;
  }
  TRY_ASSIGN(auto w, writer(std::move(options)));
  TRY(w.write(bytes));
  return w.commit();
}

Result<BlobInfo> ContentStore::info(const base::Digest& digest) const {
  TRY(check_algorithm(digest));
  struct stat st {};
  std::string path = blob_path(digest);
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return base::make_error("blob " + digest.str() + " not found");
    return errno_error("cannot stat blob", path, errno);
  }
  if (!S_ISREG(st.st_mode)) return base::make_error("blob " + digest.str() + " is not a regular file");
  return BlobInfo{digest, static_cast<int64_t>(st.st_size)};
}

Result<bool> ContentStore::exists(const base::Digest& digest) const {
  TRY(check_algorithm(digest));
  struct stat st {};
  std::string path = blob_path(digest);
  if (::lstat(path.c_str(), &st) == 0) return S_ISREG(st.st_mode);
  if (errno == ENOENT) return false;
  return errno_error("cannot stat blob", path, errno);
}

Result<BlobReader> ContentStore::open_reader(const base::Digest& digest) const {
  TRY(check_algorithm(digest));
  std::string path = blob_path(digest);
  base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return base::make_error("blob " + digest.str() + " not found");
    return errno_error("cannot open blob", path, errno);
  }
  // Size from the open file, not the path: a concurrent rename may replace it.
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errno_error("cannot stat blob", path, errno);
  return BlobReader(std::move(fd), path, BlobInfo{digest, static_cast<int64_t>(st.st_size)});
}

Result<std::string> ContentStore::read(const base::Digest& digest) const {
  TRY_ASSIGN(auto reader, open_reader(digest));
  return reader.read_all();
}

Result<void> ContentStore::remove(const base::Digest& digest) const {
  TRY(check_algorithm(digest));
  TRY(remove_file(blob_path(digest)));
  return fsync_dir(blob_dir());
}

Result<void> ContentStore::walk(const std::function<Result<void>(const BlobInfo&)>& fn) const {
  TRY_ASSIGN(auto listing, list_blob_dir(blob_dir()));
  for (const auto& name : listing.blobs) {
    struct stat st {};
    std::string path = blob_dir() + "/" + name;
    if (::lstat(path.c_str(), &st) != 0) {
      if (errno == ENOENT) continue;  // removed since we listed it
      return errno_error("cannot stat blob", path, errno);
    }
    TRY(fn(BlobInfo{base::Digest::from_hex("sha256", name), static_cast<int64_t>(st.st_size)}));
  }
  return {};
}

Result<std::vector<std::string>> ContentStore::stray_entries() const {
  TRY_ASSIGN(auto listing, list_blob_dir(blob_dir()));
  return listing.strays;
}

Result<std::vector<std::string>> ContentStore::remove_stray_entries() const {
  TRY_ASSIGN(std::vector<std::string> strays, stray_entries());
  for (const std::string& name : strays) {
    std::error_code error;
    std::filesystem::remove_all(blob_dir() + "/" + name, error);
    if (error) return base::make_error("cannot remove blobs/sha256/" + name + ": " + error.message());
  }
  return strays;
}

}  // namespace content
