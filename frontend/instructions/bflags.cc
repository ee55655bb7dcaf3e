#include "frontend/instructions/bflags.h"

#include <algorithm>
#include <cctype>

#include "frontend/instructions/suggest.h"

namespace frontend::instructions {

void FlagSet::define(std::string name, Flag flag) {
  if (Flag* existing = find_mutable(name)) {
    *existing = std::move(flag);
    return;
  }
  m_flags.emplace_back(std::move(name), std::move(flag));
}

void FlagSet::add_bool(std::string name, bool def) {
  define(std::move(name), Flag{Kind::boolean, def ? "true" : "false", {}, false});
}

void FlagSet::add_string(std::string name, std::string def) {
  define(std::move(name), Flag{Kind::string, std::move(def), {}, false});
}

void FlagSet::add_list(std::string name) { define(std::move(name), Flag{Kind::list, {}, {}, false}); }

FlagSet::Flag* FlagSet::find_mutable(std::string_view name) {
  for (auto& [n, f] : m_flags)
    if (n == name) return &f;
  return nullptr;
}

base::Result<void> FlagSet::parse(const std::vector<std::string>& words) {
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    m_failed_index = i;
    if (word.rfind("--", 0) != 0)
      return base::make_error("arg should start with -- : " + word);
    if (word == "--") break;
    std::string name = word.substr(2);
    std::string value;
    size_t eq = name.find('=');
    bool has_value = eq != std::string::npos;
    if (has_value) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    Flag* found = find_mutable(name);
    if (found == nullptr) {
      std::vector<std::string_view> known;
      for (const auto& [n, f] : m_flags) known.push_back(n);
      std::sort(known.begin(), known.end());
      std::string match = suggest(name, known, true);
      base::Error e = base::make_error("unknown flag: " + name);
      if (!match.empty()) e.hint = "did you mean --" + match + "?";
      return e;
    }
    Flag& flag = *found;
    if (flag.used && flag.kind != Kind::list)
      return base::make_error("duplicate flag specified: " + name);
    flag.used = true;
    switch (flag.kind) {
      case Kind::boolean: {
        if (has_value && value.empty()) return base::make_error("missing a value on flag: " + name);
        std::string lower = value;
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower.empty() || lower == "true") {
          flag.value = "true";
        } else if (lower == "false") {
          flag.value = "false";
        } else {
          return base::make_error("expecting boolean value for flag " + name + ", not: " + value);
        }
        break;
      }
      case Kind::string:
        if (!has_value) return base::make_error("missing a value on flag: " + name);
        flag.value = value;
        break;
      case Kind::list:
        if (!has_value) return base::make_error("missing a value on flag: " + name);
        flag.values.push_back(value);
        break;
    }
  }
  return {};
}

const FlagSet::Flag& FlagSet::find(std::string_view name) const {
  static const Flag k_absent{};
  for (const auto& [n, f] : m_flags)
    if (n == name) return f;
  return k_absent;
}

bool FlagSet::used(std::string_view name) const { return find(name).used; }
bool FlagSet::get_bool(std::string_view name) const { return find(name).value == "true"; }
const std::string& FlagSet::get_string(std::string_view name) const { return find(name).value; }
const std::vector<std::string>& FlagSet::get_list(std::string_view name) const {
  return find(name).values;
}

std::vector<std::string> FlagSet::used_names() const {
  std::vector<std::string> out;
  for (const auto& [n, f] : m_flags)
    if (f.used) out.push_back(n);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace frontend::instructions
