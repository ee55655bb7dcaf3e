#include "content/export/test_image.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "oci/image_config.h"
#include "oci/manifest.h"
#include "oci/media_types.h"

namespace content::archives::testing {

namespace {

la_ssize_t append_cb(::archive*, void* client, const void* buf, size_t n) {
  static_cast<std::string*>(client)->append(static_cast<const char*>(buf), n);
  return static_cast<la_ssize_t>(n);
}

}  // namespace

std::string make_tar(const std::vector<TarEntry>& entries) {
  std::string out;
  ::archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_set_bytes_in_last_block(a, 1);
  archive_write_open(a, &out, nullptr, append_cb, nullptr);
  for (const auto& t : entries) {
    ::archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, t.path.c_str());
    archive_entry_set_perm(e, static_cast<mode_t>(t.mode));
    archive_entry_set_uid(e, t.uid);
    archive_entry_set_gid(e, t.gid);
    archive_entry_set_mtime(e, 1700000000, 0);
    switch (t.type) {
      case TarEntry::Type::file:
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_size(e, static_cast<la_int64_t>(t.content.size()));
        break;
      case TarEntry::Type::dir:
        archive_entry_set_filetype(e, AE_IFDIR);
        break;
      case TarEntry::Type::symlink:
        archive_entry_set_filetype(e, AE_IFLNK);
        archive_entry_set_symlink(e, t.content.c_str());
        break;
      case TarEntry::Type::hardlink:
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_hardlink(e, t.content.c_str());
        break;
    }
    archive_write_header(a, e);
    if (t.type == TarEntry::Type::file) archive_write_data(a, t.content.data(), t.content.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

std::string gzip(const std::string& bytes) {
  std::string out;
  ::archive* a = archive_write_new();
  archive_write_set_format_raw(a);
  archive_write_add_filter_gzip(a);
  // No timestamp in the gzip header: the same tar always gives the same layer.
  archive_write_set_filter_option(a, "gzip", "timestamp", nullptr);
  archive_write_set_bytes_in_last_block(a, 1);
  archive_write_open(a, &out, nullptr, append_cb, nullptr);
  ::archive_entry* e = archive_entry_new();
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_size(e, static_cast<la_int64_t>(bytes.size()));
  archive_write_header(a, e);
  archive_write_data(a, bytes.data(), bytes.size());
  archive_entry_free(e);
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

std::vector<TarEntry> sample_layer() {
  using T = TarEntry::Type;
  return {
      {T::dir, "etc/", "", 0755, 0, 0},
      {T::file, "etc/hello.txt", "hello\n", 0644, 0, 0},
      {T::dir, "home/", "", 0755, 0, 0},
      {T::dir, "home/user/", "", 0700, 1000, 1000},
      {T::dir, "usr/", "", 0755, 0, 0},
      {T::dir, "usr/bin/", "", 0755, 0, 0},
      {T::file, "usr/bin/tool", "#!/bin/sh\necho tool\n", 0755, 1000, 1000},
      {T::symlink, "usr/bin/link", "tool", 0777, 0, 0},
  };
}

base::Result<TestImage> write_image(const ContentStore& store, const std::vector<TarEntry>& layer,
                                    const std::string& label) {
  std::string tar = make_tar(layer);
  std::string gz = gzip(tar);
  TestImage out;
  out.diff_id = base::Sha256::of(tar);
  TRY_ASSIGN(auto layer_info, store.write_blob(gz));
  out.layer = layer_info.digest;
  oci::ImageConfig config;
  config.architecture = "amd64";
  config.os = "linux";
  config.config.labels["test"] = label;
  config.config.cmd = std::vector<std::string>{"/usr/bin/tool"};
  config.rootfs.diff_ids.push_back(out.diff_id);
  std::string config_bytes = oci::serialize(config);
  TRY_ASSIGN(auto config_info, store.write_blob(config_bytes));
  out.config = config_info.digest;
  oci::Manifest manifest;
  manifest.media_type = std::string(oci::k_media_oci_manifest);
  manifest.config = oci::describe(std::string(oci::k_media_oci_config), config_bytes);
  manifest.layers.push_back(oci::describe(std::string(oci::k_media_oci_layer_gzip), gz));
  std::string manifest_bytes = oci::serialize(manifest);
  TRY(store.write_blob(manifest_bytes));
  out.manifest = oci::describe(manifest.media_type, manifest_bytes);
  return out;
}

base::Result<std::vector<ListedEntry>> list_tar(const std::string& bytes) {
  ::archive* a = archive_read_new();
  archive_read_support_filter_all(a);
  archive_read_support_format_tar(a);
  archive_read_support_format_gnutar(a);
  std::vector<ListedEntry> out;
  if (archive_read_open_memory(a, bytes.data(), bytes.size()) != ARCHIVE_OK) {
    archive_read_free(a);
    return base::make_error("cannot open tar");
  }
  ::archive_entry* e = nullptr;
  int r;
  while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
    ListedEntry l;
    l.path = archive_entry_pathname(e);
    l.type = static_cast<int>(archive_entry_filetype(e));
    l.size = archive_entry_size(e);
    if (l.type == AE_IFREG) {
      char buf[65536];
      la_ssize_t n;
      while ((n = archive_read_data(a, buf, sizeof buf)) > 0) l.content.append(buf, static_cast<size_t>(n));
    }
    out.push_back(std::move(l));
  }
  std::string err = archive_error_string(a) ? archive_error_string(a) : "";
  archive_read_free(a);
  if (r != ARCHIVE_EOF) return base::make_error("bad tar: " + err);
  return out;
}

namespace {

std::string drain(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

}  // namespace

RunResult run(const std::vector<std::string>& argv) {
  // Output goes to temporary files, so that a chatty child can never block
  // on a full pipe while we wait for it.
  char out_path[] = "/tmp/kiln-run-out-XXXXXX";
  char err_path[] = "/tmp/kiln-run-err-XXXXXX";
  int out_fd = ::mkstemp(out_path);
  int err_fd = ::mkstemp(err_path);
  RunResult result;
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    std::vector<char*> args;
    for (const auto& s : argv) args.push_back(const_cast<char*>(s.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  ::lseek(out_fd, 0, SEEK_SET);
  ::lseek(err_fd, 0, SEEK_SET);
  result.out = drain(out_fd);
  result.err = drain(err_fd);
  ::close(out_fd);
  ::close(err_fd);
  ::unlink(out_path);
  ::unlink(err_path);
  return result;
}

bool have_tool(const std::string& tool) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':'))
    if (!dir.empty() && ::access((dir + "/" + tool).c_str(), X_OK) == 0) return true;
  return false;
}

std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_whole_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

std::vector<std::string> store_listing(const ContentStore& store) {
  std::vector<std::string> out;
  auto r = store.walk([&](const BlobInfo& info) -> base::Result<void> {
    out.push_back(info.digest.str() + " " + std::to_string(info.size));
    return {};
  });
  if (!r) out.push_back("error: " + r.error().message);
  return out;
}

}  // namespace content::archives::testing
