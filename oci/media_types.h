#pragma once
// Media types of the OCI image spec (v1.1) and of Docker's image manifest
// schema 2, plus the predicates the rest of kiln asks about them. Docker schema
// 1 is deliberately absent: it is deprecated and we reject it.

#include <string_view>

namespace oci {

// OCI image spec.
inline constexpr std::string_view k_media_oci_manifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view k_media_oci_index = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view k_media_oci_config = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view k_media_oci_layer_tar = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view k_media_oci_layer_gzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view k_media_oci_layer_zstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr std::string_view k_media_oci_empty = "application/vnd.oci.empty.v1+json";
// Non-distributable layers: deprecated by the spec, still readable.
inline constexpr std::string_view k_media_oci_layer_nondist_tar =
    "application/vnd.oci.image.layer.nondistributable.v1.tar";
inline constexpr std::string_view k_media_oci_layer_nondist_gzip =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
inline constexpr std::string_view k_media_oci_layer_nondist_zstd =
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";

// Docker image manifest v2, schema 2.
inline constexpr std::string_view k_media_docker_manifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view k_media_docker_manifest_list =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view k_media_docker_config = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view k_media_docker_layer_gzip =
    "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr std::string_view k_media_docker_layer_foreign_gzip =
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
// Schema 1, named only so that the error for it can say what it is.
inline constexpr std::string_view k_media_docker_manifest_v1 =
    "application/vnd.docker.distribution.manifest.v1+json";
inline constexpr std::string_view k_media_docker_manifest_v1_signed =
    "application/vnd.docker.distribution.manifest.v1+prettyjws";

// The annotation that names an image inside an OCI layout's index.json.
inline constexpr std::string_view k_annotation_ref_name = "org.opencontainers.image.ref.name";
inline constexpr std::string_view k_annotation_created = "org.opencontainers.image.created";

constexpr bool is_manifest(std::string_view media_type) {
  return media_type == k_media_oci_manifest || media_type == k_media_docker_manifest;
}

constexpr bool is_index(std::string_view media_type) {
  return media_type == k_media_oci_index || media_type == k_media_docker_manifest_list;
}

constexpr bool is_config(std::string_view media_type) {
  return media_type == k_media_oci_config || media_type == k_media_docker_config;
}

constexpr bool is_layer(std::string_view media_type) {
  return media_type == k_media_oci_layer_tar || media_type == k_media_oci_layer_gzip ||
         media_type == k_media_oci_layer_zstd || media_type == k_media_oci_layer_nondist_tar ||
         media_type == k_media_oci_layer_nondist_gzip || media_type == k_media_oci_layer_nondist_zstd ||
         media_type == k_media_docker_layer_gzip || media_type == k_media_docker_layer_foreign_gzip;
}

enum class Compression { none, gzip, zstd, unknown };

// The compression of a layer media type; `unknown` for anything that is not a layer.
constexpr Compression layer_compression(std::string_view media_type) {
  if (media_type == k_media_oci_layer_tar || media_type == k_media_oci_layer_nondist_tar)
    return Compression::none;
  if (media_type == k_media_oci_layer_gzip || media_type == k_media_oci_layer_nondist_gzip ||
      media_type == k_media_docker_layer_gzip || media_type == k_media_docker_layer_foreign_gzip)
    return Compression::gzip;
  if (media_type == k_media_oci_layer_zstd || media_type == k_media_oci_layer_nondist_zstd)
    return Compression::zstd;
  return Compression::unknown;
}

}  // namespace oci
