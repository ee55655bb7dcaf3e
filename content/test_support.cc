#include "content/test_support.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "oci/image_config.h"
#include "oci/manifest.h"
#include "oci/media_types.h"

namespace content::testing {

int spawn(const std::function<int()>& fn) {
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) {
    std::perror("fork");
    std::abort();
  }
  if (pid == 0) {
    int code = 2;
    try {
      code = fn();
    } catch (...) {
    }
    ::_exit(code);
  }
  return pid;
}

int wait_for(int pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

void overwrite_file(const std::string& path, const std::string& content) {
  ::chmod(path.c_str(), 0644);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

base::Result<oci::Descriptor> write_test_image(const ContentStore& store, const std::string& layer,
                                               PublishGuard* guard) {
  TRY_ASSIGN(auto writer, store.writer({std::nullopt, static_cast<int64_t>(layer.size()), guard}));
  for (size_t off = 0; off < layer.size(); off += 4096)
    TRY(writer.write(std::string_view(layer).substr(off, 4096)));
  TRY_ASSIGN(auto layer_info, writer.commit());
  oci::ImageConfig config;
  config.architecture = "amd64";
  config.os = "linux";
  config.rootfs.diff_ids.push_back(layer_info.digest);
  std::string config_bytes = oci::serialize(config);
  TRY(store.write_blob(config_bytes, {std::nullopt, std::nullopt, guard}));
  oci::Manifest manifest;
  manifest.media_type = std::string(oci::k_media_oci_manifest);
  manifest.config = oci::describe(std::string(oci::k_media_oci_config), config_bytes);
  manifest.layers.push_back(oci::describe(std::string(oci::k_media_oci_layer_tar), layer));
  std::string manifest_bytes = oci::serialize(manifest);
  TRY(store.write_blob(manifest_bytes, {std::nullopt, std::nullopt, guard}));
  return oci::describe(manifest.media_type, manifest_bytes);
}

}  // namespace content::testing
