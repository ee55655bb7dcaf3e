#pragma once
// Helpers shared by the image tests: a temporary content store and blobs.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "content/content_store.h"
#include "oci/image_config.h"
#include "oci/manifest.h"
#include "oci/media_types.h"

namespace solver::image::testing {

// A content store in a fresh directory under $TMPDIR, removed afterwards.
class TempStore {
 public:
  TempStore() {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/kiln-image-test-XXXXXX";
    char* dir = mkdtemp(tmpl.data());
    EXPECT_NE(dir, nullptr);
    m_dir = tmpl;
    auto store = content::ContentStore::open(m_dir + "/store");
    EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().message);
    m_store.emplace(std::move(*store));
  }
  ~TempStore() {
    std::error_code ec;
    std::filesystem::remove_all(m_dir, ec);
  }
  TempStore(const TempStore&) = delete;
  TempStore& operator=(const TempStore&) = delete;

  const content::ContentStore& store() const { return *m_store; }

  // Writes `bytes` and returns their descriptor under `media_type`.
  oci::Descriptor put(std::string_view media_type, const std::string& bytes) const {
    auto info = m_store->write_blob(bytes);
    EXPECT_TRUE(info.ok()) << (info.ok() ? "" : info.error().message);
    return oci::describe(std::string(media_type), bytes);
  }

 private:
  std::string m_dir;
  std::optional<content::ContentStore> m_store;
};

inline base::Digest sha(char c) { return base::Digest::from_hex("sha256", std::string(64, c)); }

// A one-layer base image in `store`: returns its manifest descriptor.
inline oci::Descriptor put_base_image(const TempStore& store, const oci::ImageConfig& config,
                                      const std::string& layer_bytes,
                                      std::string_view layer_type = oci::k_media_oci_layer_gzip) {
  oci::Manifest m;
  m.media_type = std::string(oci::k_media_oci_manifest);
  m.config = store.put(oci::k_media_oci_config, oci::serialize(config));
  m.layers.push_back(store.put(layer_type, layer_bytes));
  return store.put(oci::k_media_oci_manifest, oci::serialize(m));
}

}  // namespace solver::image::testing
