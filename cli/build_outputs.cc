#include "cli/build_outputs.h"

#include <charconv>

namespace cli {

std::vector<std::string> split_csv(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    out.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

namespace {

base::Result<OutputType> output_type(const std::string& value, const std::string& spec) {
  if (value == "image" || value == "registry") return OutputType::image;
  if (value == "oci") return OutputType::oci;
  if (value == "docker") return OutputType::docker;
  if (value == "local") return OutputType::local;
  if (value == "tar") return OutputType::tar;
  return base::make_error("--output " + spec + ": unknown type \"" + value +
                          "\" (kiln writes image, oci, docker, local, tar)");
}

}  // namespace

base::Result<OutputPlan> parse_outputs(const std::vector<std::string>& specs) {
  OutputPlan plan;
  std::optional<std::string> compression;
  std::optional<int> level;
  for (const std::string& spec : specs) {
    OutputSpec out;
    if (spec.find('=') == std::string::npos) {
      // As buildx: "-" alone is a tar on standard output, any other bare
      // value a local directory.
      out.type = spec == "-" ? OutputType::tar : OutputType::local;
      out.dest = spec;
      plan.outputs.push_back(out);
      continue;
    }
    bool typed = false;
    for (const std::string& field : split_csv(spec)) {
      size_t eq = field.find('=');
      if (eq == std::string::npos)
        return base::make_error("--output " + spec + ": \"" + field + "\" is not key=value");
      std::string key = field.substr(0, eq);
      std::string value = field.substr(eq + 1);
      if (key == "type") {
        TRY_ASSIGN(out.type, output_type(value, spec));
        out.push |= value == "registry";
        typed = true;
      } else if (key == "dest") {
        out.dest = value;
      } else if (key == "name") {
        out.names.push_back(value);
      } else if (key == "tar") {
        if (value != "true" && value != "false")
          return base::make_error("--output " + spec + ": tar must be true or false");
        out.oci_tar = value == "true";
      } else if (key == "compression") {
        compression = value;
      } else if (key == "compression-level") {
        int n = 0;
        auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        if (ec != std::errc() || ptr != value.data() + value.size())
          return base::make_error("--output " + spec + ": compression-level must be an integer");
        level = n;
      } else if (key == "push") {
        if (value != "true" && value != "false")
          return base::make_error("--output " + spec + ": push must be true or false");
        out.push = value == "true";
      } else if (key == "force-compression" || key == "oci-mediatypes") {
        // accepted: kiln always writes OCI media types and compresses once per layer
      } else {
        return base::make_error("--output " + spec + ": unknown option \"" + key + "\"");
      }
    }
    if (!typed) return base::make_error("--output " + spec + ": type is required");
    if (out.push && out.type != OutputType::image)
      return base::make_error("--output " + spec + ": push=true needs type=image");
    // As buildx: an OCI or tar archive without dest (or with dest=-) goes to
    // standard output; a directory cannot.
    const bool directory = out.type == OutputType::local || (out.type == OutputType::oci && !out.oci_tar);
    if (directory && (out.dest.empty() || out.dest == "-"))
      return base::make_error("--output " + spec + ": dest must name a directory for this type" +
                              " (use type=tar,dest=- for a tar on standard output)");
    // buildx loads a docker output without dest into docker's image store:
    // kiln's image store is the same place here.
    if (out.type == OutputType::docker && out.dest.empty()) out.type = OutputType::image;
    if (out.type != OutputType::image && out.dest.empty()) out.dest = "-";
    plan.outputs.push_back(out);
  }
  int on_stdout = 0;
  for (const OutputSpec& o : plan.outputs) on_stdout += o.writes_stdout();
  if (on_stdout > 1) return base::make_error("--output: only one output can write to standard output");
  if (plan.outputs.empty()) plan.outputs.push_back(OutputSpec{});
  // Without a compression option, layers that stay on this machine (the
  // image store, docker-archive, local, tar) are kept uncompressed, as
  // docker's own store keeps them: compressing is paid where layers travel
  // (an OCI archive, a push), once per snapshot and compression.
  bool travels = false;
  for (const OutputSpec& o : plan.outputs) travels |= o.type == OutputType::oci || o.push;
  plan.compression.kind =
      travels ? snapshotter::layer::Compression::gzip : snapshotter::layer::Compression::none;
  if (compression) {
    if (*compression == "gzip") {
      plan.compression.kind = snapshotter::layer::Compression::gzip;
    } else if (*compression == "zstd") {
      plan.compression.kind = snapshotter::layer::Compression::zstd;
    } else if (*compression == "uncompressed") {
      plan.compression.kind = snapshotter::layer::Compression::none;
    } else {
      return base::make_error("--output: unknown compression \"" + *compression +
                              "\" (gzip, zstd, uncompressed)");
    }
  }
  if (level) {
    int max = plan.compression.kind == snapshotter::layer::Compression::zstd ? 22 : 9;
    if (*level < 0 || *level > max)
      return base::make_error("--output: compression-level " + std::to_string(*level) +
                              " is out of range 0-" + std::to_string(max));
    plan.compression.level = *level;
  }
  return plan;
}

}  // namespace cli
