#include "solver/ops/image/history.h"

#include <cctype>
#include <map>

#include <nlohmann/json.hpp>

#include "base/utf8.h"

namespace solver::image {
namespace {

// "1.5" from v = 1500 and digits = 3: v / 10^digits with the fraction's
// trailing zeros dropped, as time.Duration.String prints.
std::string fixed(uint64_t v, int digits) {
  uint64_t scale = 1;
  for (int i = 0; i < digits; ++i) scale *= 10;
  std::string out = std::to_string(v / scale);
  std::string frac = std::to_string(v % scale);
  frac.insert(0, static_cast<size_t>(digits) - frac.size(), '0');
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  if (!frac.empty()) out += "." + frac;
  return out;
}

std::string pairs_text(const char* name, const std::vector<ir::KeyValue>& pairs) {
  std::string out = name;
  for (const ir::KeyValue& kv : pairs) out += " " + kv.key + "=" + kv.value.value_or("");
  return out;
}

std::string first(const std::vector<std::string>& values) { return values.empty() ? "" : values[0]; }

// %q of a Go int: the rune literal strconv.QuoteRune writes (Retries is an
// int, so BuildKit's "%q" of the config prints it as a character).
std::string go_quote_rune(int64_t v) {
  if (v < 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) v = 0xFFFD;
  auto hex = [](int64_t n, int digits) {
    static const char* k_digits = "0123456789abcdef";
    std::string out;
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) out += k_digits[(n >> shift) & 0xF];
    return out;
  };
  switch (v) {
    case '\\': return "'\\\\'";
    case '\'': return "'\\''";
    case '\a': return "'\\a'";
    case '\b': return "'\\b'";
    case '\f': return "'\\f'";
    case '\n': return "'\\n'";
    case '\r': return "'\\r'";
    case '\t': return "'\\t'";
    case '\v': return "'\\v'";
    default: break;
  }
  if (v < 0x20 || v == 0x7F) return "'\\x" + hex(v, 2) + "'";
  if (v < 0x7F) return std::string("'") + static_cast<char>(v) + "'";
  // What Go does not count as printable (Latin-1 controls, the no-break
  // space, separators, unassigned and private-use code points…) is escaped.
  if (!base::is_print(static_cast<char32_t>(v)))
    return v < 0x10000 ? "'\\u" + hex(v, 4) + "'" : "'\\U" + hex(v, 8) + "'";
  std::string utf8;
  base::append_utf8(utf8, static_cast<char32_t>(v));
  return "'" + utf8 + "'";
}

// BuildKit's history text for HEALTHCHECK is fmt.Sprintf("HEALTHCHECK %q")
// of a *HealthcheckConfig: "&{" then each field with %q, durations through
// their String().
std::string healthcheck_text(const ir::Healthcheck& h) {
  return "HEALTHCHECK &{" + go_quote_list(h.test) + " " + go_quote(go_duration(h.interval_ns)) + " " +
         go_quote(go_duration(h.timeout_ns)) + " " + go_quote(go_duration(h.start_period_ns)) + " " +
         go_quote(go_duration(h.start_interval_ns)) + " " + go_quote_rune(h.retries) + "}";
}

std::optional<std::string> config_text(const ir::ConfigChange& c) {
  switch (c.kind) {
    case ir::ConfigKind::env: return pairs_text("ENV", c.pairs);
    case ir::ConfigKind::label: return pairs_text("LABEL", c.pairs);
    case ir::ConfigKind::arg: {
      std::string out = "ARG";
      for (size_t i = 0; i < c.pairs.size(); ++i) {
        out += " " + c.pairs[i].key;
        if (c.pairs[i].value) out += "=" + *c.pairs[i].value;
      }
      return out;
    }
    case ir::ConfigKind::workdir: return "WORKDIR " + first(c.values);
    case ir::ConfigKind::user: return "USER " + first(c.values);
    case ir::ConfigKind::expose: return "EXPOSE " + go_list(c.values);
    case ir::ConfigKind::volume: return "VOLUME " + go_list(c.values);
    case ir::ConfigKind::cmd: return "CMD " + go_quote_list(c.values);
    case ir::ConfigKind::entrypoint: return "ENTRYPOINT " + go_quote_list(c.values);
    case ir::ConfigKind::shell: return "SHELL " + go_list(c.values);
    case ir::ConfigKind::stopsignal: return "STOPSIGNAL " + first(c.values);
    case ir::ConfigKind::healthcheck:
      return healthcheck_text(c.healthcheck.value_or(ir::Healthcheck{}));
    case ir::ConfigKind::onbuild: return std::nullopt;  // BuildKit records no entry
    case ir::ConfigKind::maintainer: return "MAINTAINER " + first(c.values);
  }
  return std::nullopt;
}

std::vector<std::string> split_words(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// "<<EOF", "<<-EOF", "<<'EOF'", "2<<\"EOF\"" → "EOF" (the heredoc's name).
std::optional<std::string> heredoc_name(const std::string& word) {
  size_t at = word.find("<<");
  if (at == std::string::npos) return std::nullopt;
  for (size_t i = 0; i < at; ++i)
    if (!std::isdigit(static_cast<unsigned char>(word[i]))) return std::nullopt;
  std::string name = word.substr(at + 2);
  if (!name.empty() && name[0] == '-') name.erase(0, 1);
  std::string out;
  for (char c : name)
    if (c != '\'' && c != '"') out += c;
  if (out.empty()) return std::nullopt;
  return out;
}

// COPY/ADD history: the instruction, the --parents/--chown/--chmod flags (in
// that order; --from, --link, --exclude and the rest are left out), the
// sources, the heredoc names as "<<NAME", and the destination, all as
// expanded in the step's display name.
std::string copy_text(std::string_view text) {
  std::vector<std::string> words = split_words(text);
  if (words.empty()) return std::string(text);
  std::string out = words[0];
  size_t i = 1;
  bool parents = false;
  std::string chown, chmod;
  for (; i < words.size() && words[i].rfind("--", 0) == 0; ++i) {
    const std::string& w = words[i];
    size_t eq = w.find('=');
    std::string name = w.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    std::string value = eq == std::string::npos ? "" : w.substr(eq + 1);
    if (name == "parents") parents = eq == std::string::npos || value == "true";
    else if (name == "chown") chown = value;
    else if (name == "chmod") chmod = value;
  }
  if (parents) out += " --parents";
  if (!chown.empty()) out += " --chown=" + chown;
  if (!chmod.empty()) out += " --chmod=" + chmod;

  std::vector<std::string> args(words.begin() + static_cast<std::ptrdiff_t>(i), words.end());
  // The JSON form lists sources and destination as an array.
  if (!args.empty() && args[0].rfind("[", 0) == 0) {
    size_t start = text.find('[', text.find(args[0]));
    auto doc = nlohmann::json::parse(text.substr(start), nullptr, false);
    if (doc.is_array() && !doc.empty()) {
      std::vector<std::string> items;
      for (const auto& item : doc)
        if (item.is_string()) items.push_back(item.get<std::string>());
      if (items.size() == doc.size()) args = items;
    }
  }
  if (args.empty()) return out;
  std::vector<std::string> sources, heredocs;
  for (size_t k = 0; k + 1 < args.size(); ++k) {
    if (auto name = heredoc_name(args[k])) heredocs.push_back(*name);
    else sources.push_back(args[k]);
  }
  for (const std::string& s : sources) out += " " + s;
  for (const std::string& h : heredocs) out += " <<" + h;
  return out + " " + args.back();
}

bool starts_with_word(std::string_view text, std::string_view word) {
  return text.size() >= word.size() && text.substr(0, word.size()) == word &&
         (text.size() == word.size() || text[word.size()] == ' ' || text[word.size()] == '\t');
}

std::string file_text(const ir::File& file, const ir::OpInfo& info) {
  std::string text = instruction_text(info.display_name);
  // WORKDIR's directory step stands for the WORKDIR itself, without the
  // " # buildkit" mark (BuildKit commits it with no state).
  if (starts_with_word(text, "WORKDIR") && file.actions.size() == 1)
    if (const auto* mkdir = std::get_if<ir::Mkdir>(&file.actions[0])) return "WORKDIR " + mkdir->path;
  if (starts_with_word(text, "COPY") || starts_with_word(text, "ADD")) return copy_text(text) + " # buildkit";
  return text + " # buildkit";
}

}  // namespace

std::string go_quote_list(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? " " : "") + go_quote(v[i]);
  return out + "]";
}

std::string go_list(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? " " : "") + v[i];
  return out + "]";
}

std::string go_duration(int64_t nanos) {
  if (nanos == 0) return "0s";
  bool negative = nanos < 0;
  uint64_t u = negative ? 0 - static_cast<uint64_t>(nanos) : static_cast<uint64_t>(nanos);
  std::string out;
  if (u < 1'000'000'000) {
    if (u < 1'000) out = std::to_string(u) + "ns";
    else if (u < 1'000'000) out = fixed(u, 3) + "\xc2\xb5s";  // µs, as Go writes it
    else out = fixed(u, 6) + "ms";
  } else {
    out = fixed(u % 60'000'000'000, 9) + "s";
    uint64_t minutes = u / 60'000'000'000;
    if (minutes > 0) {
      out = std::to_string(minutes % 60) + "m" + out;
      if (minutes / 60 > 0) out = std::to_string(minutes / 60) + "h" + out;
    }
  }
  return negative ? "-" + out : out;
}

std::string instruction_text(std::string_view display_name) {
  std::string_view text = display_name;
  if (!text.empty() && text[0] == '[') {
    size_t close = text.find("] ");
    if (close != std::string_view::npos) text = text.substr(close + 2);
  }
  if (starts_with_word(text, "ONBUILD")) text = text.substr(8);
  return std::string(text);
}

std::string run_command_string(const std::vector<std::string>& argv,
                               const std::vector<ir::KeyValue>& build_args, const ir::EnvMap& env) {
  // A redeclared ARG keeps its first position and takes the later value.
  std::vector<std::string> assignments;
  std::map<std::string, size_t> position;
  for (const ir::KeyValue& arg : build_args) {
    const std::string* from_env = env.find(arg.key);
    std::string entry = arg.key + "=" + (from_env ? *from_env : arg.value.value_or(""));
    if (auto it = position.find(arg.key); it != position.end()) {
      assignments[it->second] = std::move(entry);
    } else {
      position.emplace(arg.key, assignments.size());
      assignments.push_back(std::move(entry));
    }
  }
  std::vector<std::string> parts;
  if (!assignments.empty()) parts.push_back("|" + std::to_string(assignments.size()));
  parts.insert(parts.end(), assignments.begin(), assignments.end());
  parts.insert(parts.end(), argv.begin(), argv.end());
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? " " : "") + parts[i];
  return out;
}

std::optional<std::string> created_by(const ir::Op& op, const ir::OpInfo& info,
                                      const std::vector<ir::KeyValue>& build_args) {
  if (const auto* change = std::get_if<ir::ConfigChange>(&op)) return config_text(*change);
  if (const auto* exec = std::get_if<ir::Exec>(&op))
    return "RUN " + run_command_string(exec->argv, build_args, exec->env) + " # buildkit";
  if (const auto* file = std::get_if<ir::File>(&op)) return file_text(*file, info);
  return std::nullopt;
}

std::optional<oci::History> make_history(const ir::Op& op, const ir::OpInfo& info, bool empty_layer,
                                         std::optional<std::string> created,
                                         const std::vector<ir::KeyValue>& build_args) {
  std::optional<std::string> text = created_by(op, info, build_args);
  if (!text) return std::nullopt;
  oci::History h;
  h.created = std::move(created);
  h.created_by = std::move(*text);
  h.comment = std::string(k_history_comment);
  h.empty_layer = empty_layer;
  return h;
}

}  // namespace solver::image
