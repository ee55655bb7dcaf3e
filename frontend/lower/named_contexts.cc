// Named contexts (--build-context NAME=DIR): how a name finds its context,
// and the ops that read one. Which stage or image a context replaces is
// decided in stage_graph.cc, as BuildKit's dockerfile2llb does: a stage of
// that name first, then FROM / COPY --from of an image of that name.
#include <cctype>

#include "frontend/lower/lowering.h"
#include "solver/ir/image_ref.h"

namespace frontend::lower {

base::Result<std::string> named_context_key(std::string_view name) {
  auto ref = ir::parse_image_ref(name);
  if (!ref.ok()) return base::make_error("invalid context name " + std::string(name) + ": " + ref.error().message);
  std::string path = ref->path;
  std::string out;
  if (ref->domain == "docker.io") {
    if (path.rfind("library/", 0) == 0 && path.find('/', 8) == std::string::npos) path = path.substr(8);
    out = path;
  } else {
    out = ref->domain + "/" + path;
  }
  if (!ref->tag.empty()) out += ":" + ref->tag;
  if (!ref->digest.empty()) out += "@" + ref->digest;
  // BuildKit trims ":latest" off the end of the familiar form (so not when
  // a digest follows it).
  constexpr std::string_view latest = ":latest";
  if (out.size() > latest.size() && out.compare(out.size() - latest.size(), latest.size(), latest) == 0)
    out.resize(out.size() - latest.size());
  return out;
}

namespace detail {

std::optional<std::string> Lowering::named_context_for(const std::string& name) const {
  if (m_opt.named_contexts.empty()) return std::nullopt;
  std::string folded = name;
  for (char& c : folded) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (folded == "scratch" || folded == "context") return std::nullopt;
  // A name that is no valid reference can name no context (it fails later
  // as an image, where BuildKit fails it too).
  auto key = named_context_key(name);
  if (!key.ok() || !m_opt.named_contexts.count(*key)) return std::nullopt;
  return *key;
}

uint32_t Lowering::named_context_source(const std::string& key) {
  if (auto it = m_named_sources.find(key); it != m_named_sources.end()) return it->second;
  ir::ContextSource ctx;
  ctx.name = key;
  ctx.exclude_patterns = m_opt.named_contexts.at(key).ignore_patterns;
  uint32_t op = m_def.add(ctx, {}, {"[context " + key + "] load from client", -1, {}});
  m_named_sources[key] = op;
  return op;
}

uint32_t Lowering::named_context_fs(const std::string& key) {
  if (auto it = m_named_fs.find(key); it != m_named_fs.end()) return it->second;
  uint32_t source = named_context_source(key);
  // A stage's root must be a filesystem of its own (a snapshot), not the
  // directory read in place: the context's files copied onto scratch.
  ir::Copy copy;
  copy.src_input = 1;
  copy.src = "/";
  copy.dest = "/";
  copy.follow_symlinks = true;
  copy.dir_contents_only = true;
  copy.allow_wildcard = true;
  copy.allow_empty_wildcard = true;
  copy.create_dest_path = true;
  ir::File file;
  file.actions.push_back(std::move(copy));
  uint32_t op = m_def.add(std::move(file), {{scratch(), 0}, {source, 0}},
                          {"[context " + key + "] copy into a filesystem", -1, {}});
  m_named_fs[key] = op;
  return op;
}

}  // namespace detail
}  // namespace frontend::lower
