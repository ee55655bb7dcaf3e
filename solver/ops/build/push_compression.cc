#include "solver/ops/build/push_compression.h"

#include <string>

#include "oci/manifest.h"
#include "oci/media_types.h"
#include "solver/ops/build/blob_sink.h"
#include "solver/ops/build/export_image.h"

namespace solver::ops::build {

namespace {

namespace layer = snapshotter::layer;

constexpr size_t k_read_chunk = 1 << 20;

// The compressed counterpart of an uncompressed layer media type; a Docker
// schema 2 manifest keeps Docker's own gzip layer type.
std::string compressed_media_type(std::string_view manifest_type, std::string_view media_type,
                                  layer::Compression compression) {
  if (manifest_type == oci::k_media_docker_manifest && compression == layer::Compression::gzip)
    return std::string(oci::k_media_docker_layer_gzip);
  if (media_type != oci::k_media_oci_layer_nondist_tar) return layer_media_type(compression);
  return std::string(compression == layer::Compression::zstd ? oci::k_media_oci_layer_nondist_zstd
                                                              : oci::k_media_oci_layer_nondist_gzip);
}

bool uncompressed(const oci::Descriptor& layer_desc) {
  return oci::layer_compression(layer_desc.media_type) == oci::Compression::none;
}

base::Result<oci::Descriptor> compress_layer(const content::ContentStore& blobs, std::string_view manifest_type,
                                             const oci::Descriptor& tar,
                                             const layer::CompressionOptions& compression) {
  const std::string what = "compressing layer " + tar.digest.str();
  TRY_ASSIGN(content::BlobReader reader, with_context(blobs.open_reader(tar.digest), what));
  TRY_ASSIGN(std::unique_ptr<BlobSink> sink, with_context(BlobSink::open(blobs), what));
  TRY_ASSIGN(auto compressor, with_context(layer::make_compressing_sink(compression, *sink), what));
  std::string buffer(k_read_chunk, '\0');
  while (true) {
    // The reader checks the stored tar against its digest as it ends.
    TRY_ASSIGN(size_t n, with_context(reader.read(buffer.data(), buffer.size()), what));
    if (n == 0) break;
    TRY(with_context(compressor->write(std::string_view(buffer.data(), n)), what));
  }
  TRY_ASSIGN(layer::CompressedBlob blob, with_context(compressor->finish(), what));
  TRY(with_context(sink->commit(blob.digest), what));
  oci::Descriptor out = tar;  // annotations and the rest stay
  out.media_type = compressed_media_type(manifest_type, tar.media_type, compression.kind);
  out.digest = blob.digest;
  out.size = static_cast<int64_t>(blob.size);
  return out;
}

// Whether `candidate` is exactly `manifest` (as `root` describes it) with
// its uncompressed layers swapped for present blobs of the asked compression:
// the manifest rebuilt with the candidate's layers must have its digest.
base::Result<bool> is_compressed_form(const content::ContentStore& blobs, const oci::Descriptor& root,
                                      const oci::Manifest& manifest, const oci::Descriptor& candidate,
                                      layer::Compression compression) {
  if (candidate.media_type != root.media_type) return false;
  auto bytes = blobs.read(candidate.digest);
  if (!bytes.ok()) return false;
  auto parsed = oci::parse_manifest(*bytes);
  if (!parsed.ok() || parsed->layers.size() != manifest.layers.size()) return false;
  oci::Manifest expected = manifest;
  for (size_t i = 0; i < manifest.layers.size(); ++i) {
    const oci::Descriptor& was = manifest.layers[i];
    const oci::Descriptor& now = parsed->layers[i];
    if (!uncompressed(was)) continue;
    if (now.media_type != compressed_media_type(manifest.media_type, was.media_type, compression)) return false;
    TRY_ASSIGN(bool present, blobs.exists(now.digest));
    if (!present) return false;
    expected.layers[i].media_type = now.media_type;
    expected.layers[i].digest = now.digest;
    expected.layers[i].size = now.size;
  }
  return oci::describe(root.media_type, oci::serialize(expected)).digest == candidate.digest;
}

}  // namespace

base::Result<PushableImage> pushable_image(const content::ContentStore& blobs, const oci::Descriptor& root,
                                           const std::vector<oci::Descriptor>& candidates,
                                           const layer::CompressionOptions& compression) {
  if (!oci::is_manifest(root.media_type)) return PushableImage{root, 0};
  TRY_ASSIGN(std::string bytes, blobs.read(root.digest));
  TRY_ASSIGN(oci::Manifest manifest, with_context(oci::parse_manifest(bytes), "manifest " + root.digest.str()));
  bool any = false;
  for (const oci::Descriptor& l : manifest.layers) any |= uncompressed(l);
  if (!any || compression.kind == layer::Compression::none) return PushableImage{root, 0};
  for (const oci::Descriptor& candidate : candidates) {
    TRY_ASSIGN(bool reusable, is_compressed_form(blobs, root, manifest, candidate, compression.kind));
    if (reusable) return PushableImage{candidate, 0};
  }
  PushableImage out;
  for (oci::Descriptor& l : manifest.layers) {
    if (!uncompressed(l)) continue;
    TRY_ASSIGN(l, compress_layer(blobs, manifest.media_type, l, compression));
    ++out.layers_compressed;
  }
  std::string rewritten = oci::serialize(manifest);
  out.target = oci::describe(root.media_type, rewritten);
  out.target.annotations = root.annotations;
  out.target.platform = root.platform;
  content::WriterOptions options;
  options.expected_digest = out.target.digest;
  TRY(with_context(blobs.write_blob(rewritten, options), "writing the compressed manifest"));
  return out;
}

}  // namespace solver::ops::build
