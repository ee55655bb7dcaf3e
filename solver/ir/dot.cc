#include <string>
#include <vector>

#include "solver/ir/serialize.h"

namespace ir {
namespace {

std::string escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

// Collapses runs of blanks (continuation lines keep their indentation) and
// cuts long labels.
std::string shorten(std::string_view text, size_t max = 56) {
  std::string s;
  for (char c : text) {
    bool blank = c == ' ' || c == '\t';
    if (blank && !s.empty() && s.back() == ' ') continue;
    s += blank ? ' ' : c;
  }
  if (s.size() <= max) return s;
  size_t cut = max - 3;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // keep UTF-8 whole
  return s.substr(0, cut) + "...";
}

// A label for ops without a display name (shared sources and internal helpers).
std::string summary(const Op& op) {
  if (const auto* img = std::get_if<ImageSource>(&op)) return "image\n" + shorten(img->ref) + "\n" + img->platform.str();
  if (const auto* ctx = std::get_if<ContextSource>(&op)) {
    std::string out = "local context \"" + ctx->name + "\"";
    if (!ctx->include_patterns.empty()) {
      std::string list;
      for (const auto& p : ctx->include_patterns) list += (list.empty() ? "" : ", ") + p;
      out += "\n" + shorten(list);
    }
    return out;
  }
  if (const auto* http = std::get_if<HttpSource>(&op)) return "http\n" + shorten(http->url);
  if (const auto* git = std::get_if<GitSource>(&op)) return "git\n" + shorten(git->remote);
  if (std::holds_alternative<Scratch>(op)) return "scratch";
  if (const auto* file = std::get_if<File>(&op)) {
    for (const auto& a : file->actions)
      if (const auto* f = std::get_if<Mkfile>(&a)) return "inline file " + f->path;
    return "file";
  }
  return op_kind(op);
}

const char* style(const Op& op) {
  switch (op.index()) {
    case 0: return "shape=box, style=\"rounded,dashed\", fillcolor=\"#ffffff\"";
    case 1: return "shape=box3d, style=filled, fillcolor=\"#d6e9ff\"";
    case 2: return "shape=folder, style=filled, fillcolor=\"#fff1c1\"";
    case 3:
    case 4: return "shape=folder, style=filled, fillcolor=\"#e8dcff\"";
    case 5: return "shape=box, style=\"rounded,filled\", fillcolor=\"#ffd9cc\"";
    case 6: return "shape=box, style=\"rounded,filled\", fillcolor=\"#d9f2d9\"";
    default: return "shape=note, style=filled, fillcolor=\"#f2f2f2\", fontsize=9";
  }
}

// What op `consumer` does with its input number `slot` (slot > 0), for edge labels.
std::string input_role(const Op& consumer, uint32_t slot) {
  if (const auto* exec = std::get_if<Exec>(&consumer)) {
    std::string out;
    for (const Mount& m : exec->mounts)
      if (m.input && *m.input == slot) out += (out.empty() ? "mount " : ", ") + m.target;
    return out;
  }
  if (const auto* file = std::get_if<File>(&consumer)) {
    std::string out;
    for (const auto& a : file->actions)
      if (const auto* c = std::get_if<Copy>(&a); c && c->src_input == slot)
        out += (out.empty() ? "copy " : ", ") + c->src;
    return shorten(out, 40);
  }
  return {};
}

}  // namespace

std::string to_dot(const Definition& def) {
  std::string out;
  out += "digraph kiln {\n";
  out += "  graph [rankdir=TB, fontname=\"Helvetica\", fontsize=12, nodesep=0.3, ranksep=0.35];\n";
  out += "  node [fontname=\"Helvetica\", fontsize=10, margin=\"0.15,0.05\"];\n";
  out += "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#555555\"];\n";
  auto node = [&](size_t i, const std::string& indent) {
    const OpInfo& info = def.info[i];
    std::string label = info.display_name.empty() ? summary(def.ops[i]) : shorten(info.display_name);
    out += indent + "op" + std::to_string(i) + " [label=\"" + escape(label) + "\", " + style(def.ops[i]);
    if (def.terminal.op == i) out += ", peripheries=2";
    out += "];\n";
  };
  // A source read by several stages (an image two stages start from) is drawn
  // outside the clusters, with the other shared and internal ops.
  std::vector<int> cluster(def.ops.size());
  for (size_t i = 0; i < def.ops.size(); ++i) cluster[i] = def.info[i].stage;
  for (size_t i = 0; i < def.ops.size(); ++i)
    for (const Input& in : def.inputs[i])
      if (def.inputs[in.op].empty() && cluster[in.op] >= 0 && def.info[i].stage != def.info[in.op].stage)
        cluster[in.op] = -1;
  for (size_t i = 0; i < def.ops.size(); ++i)
    if (cluster[i] < 0) node(i, "  ");
  for (size_t s = 0; s < def.stages.size(); ++s) {
    const Stage& st = def.stages[s];
    std::string title = "stage " + std::to_string(st.index);
    if (!st.name.empty()) title += ": " + st.name;
    title += "  (" + st.platform.str() + ")";
    out += "  subgraph cluster_stage" + std::to_string(s) + " {\n";
    out += "    label=\"" + escape(title) + "\"; labeljust=l; style=\"rounded,filled\"; fillcolor=\"#fafafa\"; color=\"#999999\";\n";
    for (size_t i = 0; i < def.ops.size(); ++i)
      if (cluster[i] == static_cast<int>(s)) node(i, "    ");
    out += "  }\n";
  }
  for (size_t i = 0; i < def.ops.size(); ++i) {
    const auto& ins = def.inputs[i];
    for (uint32_t slot = 0; slot < ins.size(); ++slot) {
      std::string edge = "  op" + std::to_string(ins[slot].op) + " -> op" + std::to_string(i);
      if (slot == 0) {
        out += edge + " [penwidth=1.4];\n";
      } else {
        std::string role = input_role(def.ops[i], slot);
        out += edge + " [style=dashed, color=\"#3366cc\"";
        if (!role.empty()) out += ", label=\"" + escape(role) + "\", fontcolor=\"#3366cc\"";
        out += "];\n";
      }
    }
  }
  out += "}\n";
  return out;
}

}  // namespace ir
