#include "registry/reference.h"

#include <algorithm>

namespace registry {
namespace {

constexpr size_t k_max_name_length = 255;
constexpr size_t k_max_tag_length = 128;

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alnum(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }
bool is_word(char c) { return is_alnum(c) || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

base::Error format_error(const std::string& detail) {
  return base::make_error("invalid reference format: " + detail);
}

// component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
bool valid_path_component(std::string_view c) {
  size_t i = 0;
  auto alnum_run = [&] {
    size_t start = i;
    while (i < c.size() && is_lower_alnum(c[i])) ++i;
    return i > start;
  };
  if (!alnum_run()) return false;
  while (i < c.size()) {
    if (c[i] == '.') {
      ++i;
    } else if (c[i] == '_') {
      ++i;
      if (i < c.size() && c[i] == '_') ++i;
    } else if (c[i] == '-') {
      while (i < c.size() && c[i] == '-') ++i;
    } else {
      return false;
    }
    if (!alnum_run()) return false;
  }
  return true;
}

// domain-component := [A-Za-z0-9] ( [A-Za-z0-9-]* [A-Za-z0-9] )?
bool valid_domain_component(std::string_view c) {
  if (c.empty() || !is_alnum(c.front()) || !is_alnum(c.back())) return false;
  return std::all_of(c.begin(), c.end(), [](char ch) { return is_alnum(ch) || ch == '-'; });
}

bool valid_ipv6_literal(std::string_view host) {
  // "[" hex groups and colons (and an embedded dotted IPv4 tail) "]"; the
  // exact address is checked by the resolver, the grammar only keeps junk out.
  if (host.size() < 4 || host.front() != '[' || host.back() != ']') return false;
  std::string_view inner = host.substr(1, host.size() - 2);
  return inner.find(':') != std::string_view::npos &&
         std::all_of(inner.begin(), inner.end(), [](char ch) { return is_hex(ch) || ch == ':' || ch == '.'; });
}

Result<void> check_domain(std::string_view domain) {
  std::string_view host = domain;
  std::string_view port;
  size_t colon = domain.rfind(':');
  size_t bracket = domain.rfind(']');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    host = domain.substr(0, colon);
    port = domain.substr(colon + 1);
    if (port.empty() || !std::all_of(port.begin(), port.end(), is_digit))
      return format_error("port \"" + std::string(port) + "\" of domain \"" + std::string(domain) +
                          "\" is not a number");
  }
  if (!host.empty() && host.front() == '[') {
    if (!valid_ipv6_literal(host))
      return format_error("domain \"" + std::string(domain) + "\" is not a valid IPv6 address");
    return {};
  }
  size_t start = 0;
  while (true) {
    size_t dot = host.find('.', start);
    std::string_view part = host.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!valid_domain_component(part))
      return format_error("domain \"" + std::string(domain) + "\" has an invalid component \"" +
                          std::string(part) + "\"");
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return {};
}

Result<void> check_path(std::string_view path) {
  if (path.empty()) return format_error("repository name is empty");
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    std::string_view part = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!valid_path_component(part))
      return format_error("repository name \"" + std::string(path) + "\" has an invalid component \"" +
                          std::string(part) + "\" (allowed: lowercase letters, digits, and single '.', '_', '__' "
                          "or runs of '-' between them)");
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return {};
}

Result<void> check_tag(std::string_view tag) {
  bool ok = !tag.empty() && tag.size() <= k_max_tag_length && is_word(tag.front()) &&
            std::all_of(tag.begin(), tag.end(), [](char c) { return is_word(c) || c == '.' || c == '-'; });
  if (!ok)
    return format_error("tag \"" + std::string(tag) +
                        "\" is invalid (up to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-')");
  return {};
}

bool is_hex64_identifier(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return is_digit(c) || (c >= 'a' && c <= 'f');
         });
}

// Digest algorithm grammar: components [A-Za-z][A-Za-z0-9]* joined by [+._-],
// then ":" and at least 32 hex digits. Only sha256 is supported beyond that.
Result<base::Digest> parse_digest_part(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0)
    return format_error("digest \"" + std::string(text) + "\" must look like sha256:<64 hex digits>");
  std::string_view algorithm = text.substr(0, colon);
  std::string_view hex = text.substr(colon + 1);
  if (algorithm != "sha256") {
    return format_error("digest \"" + std::string(text) + "\" uses unsupported algorithm \"" +
                        std::string(algorithm) + "\" (only sha256 is supported)");
  }
  if (hex.size() != 64 || !std::all_of(hex.begin(), hex.end(), [](char c) { return is_digit(c) || (c >= 'a' && c <= 'f'); }))
    return format_error("digest \"" + std::string(text) + "\" must have 64 lowercase hex digits");
  return base::Digest::from_hex("sha256", std::string(hex));
}

}  // namespace

Result<Reference> parse_reference(std::string_view text) {
  if (text.empty()) return format_error("empty reference");
  if (is_hex64_identifier(text))
    return base::make_error("invalid repository name (" + std::string(text) +
                            "), cannot specify 64-byte hexadecimal strings");

  Reference ref;
  std::string_view rest = text;
  if (size_t at = rest.find('@'); at != std::string_view::npos) {
    TRY_ASSIGN(ref.digest, parse_digest_part(rest.substr(at + 1)));
    rest = rest.substr(0, at);
  }
  // A ':' after the last '/' separates the tag; earlier ones belong to a port.
  size_t last_slash = rest.rfind('/');
  size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos && (last_slash == std::string_view::npos || colon > last_slash)) {
    ref.tag = std::string(rest.substr(colon + 1));
    TRY(check_tag(ref.tag));
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) return format_error("repository name is empty in \"" + std::string(text) + "\"");

  size_t slash = rest.find('/');
  std::string_view first = rest.substr(0, slash);
  bool has_domain = slash != std::string_view::npos &&
                    (first.find_first_of(".:") != std::string_view::npos || first == "localhost" ||
                     std::any_of(first.begin(), first.end(), [](char c) { return c >= 'A' && c <= 'Z'; }));
  if (has_domain) {
    ref.domain = std::string(first);
    ref.path = std::string(rest.substr(slash + 1));
  } else {
    ref.domain = std::string(k_docker_hub_domain);
    ref.path = std::string(rest);
  }
  if (ref.domain == "index.docker.io") ref.domain = std::string(k_docker_hub_domain);
  if (ref.domain == k_docker_hub_domain && ref.path.find('/') == std::string::npos) ref.path = "library/" + ref.path;

  if (std::any_of(ref.path.begin(), ref.path.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
    return format_error("repository name (" + ref.path + ") must be lowercase");
  if (ref.domain != k_docker_hub_domain) TRY(check_domain(ref.domain));
  TRY(check_path(ref.path));
  if (ref.name().size() > k_max_name_length)
    return format_error("repository name \"" + ref.name() + "\" is longer than 255 characters");
  if (ref.tag.empty() && !ref.digest) ref.tag = "latest";
  return ref;
}

std::string Reference::str() const {
  std::string out = name();
  if (!tag.empty()) out += ":" + tag;
  if (digest) out += "@" + digest->str();
  return out;
}

std::string Reference::endpoint_host() const {
  return domain == k_docker_hub_domain ? std::string(k_docker_hub_endpoint) : domain;
}

std::string domain_host(std::string_view domain) {
  if (!domain.empty() && domain.front() == '[') {
    size_t close = domain.find(']');
    return std::string(domain.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
  }
  return std::string(domain.substr(0, domain.find(':')));
}

bool is_loopback_domain(std::string_view domain) {
  std::string host = domain_host(domain);
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

std::string familiar_string(const Reference& ref) {
  std::string out;
  if (ref.domain == k_docker_hub_domain) {
    std::string_view path = ref.path;
    if (path.starts_with("library/") && path.find('/', 8) == std::string_view::npos) path.remove_prefix(8);
    out = std::string(path);
  } else {
    out = ref.name();
  }
  if (!ref.tag.empty()) out += ":" + ref.tag;
  if (ref.digest) out += "@" + ref.digest->str();
  return out;
}

}  // namespace registry
