#pragma once
// -o/--output of `kiln build`, as docker buildx spells it: "type=oci,dest=out.tar",
// "type=docker,dest=img.tar", "type=local,dest=dir", "type=tar,dest=fs.tar",
// "type=image" (the default: the local image store; push=true also pushes
// its names, and "type=registry" is type=image,push=true), or a bare path for
// type=local. Compression options: compression=gzip|zstd|uncompressed,
// compression-level=N. Without them, layers are gzip-compressed only when an
// OCI archive is written; the image store keeps them uncompressed.
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "snapshotter/layer/compression.h"

namespace cli {

enum class OutputType { image, oci, docker, local, tar };

struct OutputSpec {
  OutputType type = OutputType::image;
  std::string dest;       // file or directory; "" for image
  bool oci_tar = true;    // type=oci,tar=false writes a layout directory
  std::vector<std::string> names;  // name=... (type=image)
  bool push = false;  // push=true, or type=registry: push the names after storing
  bool writes_stdout() const { return type != OutputType::image && dest == "-"; }
};

struct OutputPlan {
  std::vector<OutputSpec> outputs;  // at least one
  snapshotter::layer::CompressionOptions compression;
};

// "a,b,c" → {"a", "b", "c"}, as the comma-separated KEY=VALUE flags are written.
std::vector<std::string> split_csv(const std::string& text);

base::Result<OutputPlan> parse_outputs(const std::vector<std::string>& specs);

}  // namespace cli
