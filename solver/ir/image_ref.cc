#include "solver/ir/image_ref.h"

#include <cctype>

namespace ir {
namespace {

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// One path component: [a-z0-9]+ joined by ".", "_", "__" or runs of "-".
bool valid_path_component(std::string_view c) {
  if (c.empty() || !is_lower_alnum(c.front()) || !is_lower_alnum(c.back())) return false;
  for (size_t i = 0; i < c.size(); ++i) {
    char ch = c[i];
    if (is_lower_alnum(ch)) continue;
    if (ch == '.' || ch == '_') {
      size_t run = 1;
      while (i + run < c.size() && !is_lower_alnum(c[i + run])) ++run;
      std::string_view sep = c.substr(i, run);
      if (sep != "." && sep != "_" && sep != "__") return false;
      i += run - 1;
    } else if (ch == '-') {
      while (i + 1 < c.size() && c[i + 1] == '-') ++i;
    } else {
      return false;
    }
  }
  return true;
}

bool valid_domain(std::string_view d) {
  if (d.empty()) return false;
  std::string_view host = d;
  if (host.front() == '[') {  // IPv6 literal, optionally with a port
    size_t close = host.find(']');
    if (close == std::string_view::npos) return false;
    std::string_view rest = host.substr(close + 1);
    if (!rest.empty() && (rest.front() != ':' || rest.size() == 1)) return false;
    for (char c : rest.substr(rest.empty() ? 0 : 1))
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
  }
  size_t colon = host.rfind(':');
  if (colon != std::string_view::npos) {
    std::string_view port = host.substr(colon + 1);
    if (port.empty()) return false;
    for (char c : port)
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    host = host.substr(0, colon);
  }
  size_t start = 0;
  while (true) {
    size_t dot = host.find('.', start);
    std::string_view label = host.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty() || label.front() == '-' || label.back() == '-') return false;
    for (char c : label)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

bool valid_tag(std::string_view t) {
  if (t.empty() || t.size() > 128) return false;
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  if (!word(t.front())) return false;
  for (char c : t)
    if (!word(c) && c != '.' && c != '-') return false;
  return true;
}

bool valid_digest(std::string_view d) {
  size_t colon = d.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view algo = d.substr(0, colon), hex = d.substr(colon + 1);
  for (char c : algo)
    if (!is_lower_alnum(c) && c != '+' && c != '.' && c != '_' && c != '-') return false;
  if (hex.size() < 32) return false;
  for (char c : hex)
    if (!std::isxdigit(static_cast<unsigned char>(c)) || std::isupper(static_cast<unsigned char>(c)))
      return false;
  if (algo == "sha256" && hex.size() != 64) return false;
  return true;
}

base::Error bad(std::string_view text, std::string_view why) {
  return base::make_error("invalid reference format \"" + std::string(text) + "\": " + std::string(why));
}

}  // namespace

std::string ImageRef::str() const {
  std::string out = domain + "/" + path;
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

base::Result<ImageRef> parse_image_ref(std::string_view text) {
  if (text.empty()) return bad(text, "empty reference");
  if (text.size() == 64) {
    bool all_hex = true;
    for (char c : text) all_hex = all_hex && std::isxdigit(static_cast<unsigned char>(c)) && !std::isupper(static_cast<unsigned char>(c));
    if (all_hex) return bad(text, "cannot specify 64-byte hexadecimal strings");
  }
  ImageRef ref;
  std::string_view rest = text;
  if (size_t at = rest.find('@'); at != std::string_view::npos) {
    ref.digest = std::string(rest.substr(at + 1));
    if (!valid_digest(ref.digest)) return bad(text, "invalid digest \"" + ref.digest + "\"");
    rest = rest.substr(0, at);
  }
  // Split off the domain: the first component is a registry when it has a "."
  // or ":" in it, is "localhost", or has upper-case letters.
  std::string_view remainder = rest;
  size_t slash = rest.find('/');
  if (slash != std::string_view::npos) {
    std::string_view first = rest.substr(0, slash);
    bool lower = true;
    for (char c : first) lower = lower && !std::isupper(static_cast<unsigned char>(c));
    if (first.find_first_of(".:") != std::string_view::npos || first == "localhost" || !lower) {
      ref.domain = std::string(first);
      remainder = rest.substr(slash + 1);
    }
  }
  if (ref.domain.empty() || ref.domain == "index.docker.io") ref.domain = "docker.io";
  if (!valid_domain(ref.domain)) return bad(text, "invalid registry \"" + ref.domain + "\"");
  // The tag is after the last ":" of the path part.
  std::string_view path = remainder;
  if (size_t colon = remainder.rfind(':'); colon != std::string_view::npos) {
    ref.tag = std::string(remainder.substr(colon + 1));
    path = remainder.substr(0, colon);
    if (!valid_tag(ref.tag)) return bad(text, "invalid tag \"" + ref.tag + "\"");
  }
  for (char c : path)
    if (std::isupper(static_cast<unsigned char>(c)))
      return base::make_error("invalid reference format \"" + std::string(text) + "\": repository name (" +
                              std::string(path) + ") must be lowercase");
  ref.path = std::string(path);
  if (ref.domain == "docker.io" && ref.path.find('/') == std::string::npos) ref.path = "library/" + ref.path;
  size_t start = 0;
  while (true) {
    size_t s = ref.path.find('/', start);
    std::string_view comp = std::string_view(ref.path).substr(start, s == std::string::npos ? s : s - start);
    if (!valid_path_component(comp)) return bad(text, "invalid repository name \"" + ref.path + "\"");
    if (s == std::string::npos) break;
    start = s + 1;
  }
  if (ref.domain.size() + 1 + ref.path.size() > 255) return bad(text, "repository name too long");
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = "latest";
  return ref;
}

base::Result<std::string> normalize_image_ref(std::string_view text) {
  TRY_ASSIGN(ImageRef ref, parse_image_ref(text));
  return ref.str();
}

}  // namespace ir
