#pragma once
// Image references as docker resolves them (distribution/reference's grammar
// plus its "normalized" short forms):
//
//   reference   := name [ ":" tag ] [ "@" digest ]
//   name        := [ domain "/" ] path
//   domain      := host [ ":" port ]           host: dotted DNS labels, IPv4, or [IPv6]
//   path        := component ( "/" component )*
//   component   := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
//   tag         := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
//   digest      := algorithm ":" hex           (sha256: 64 lowercase hex)
//
// The first path element is a domain only when it contains "." or ":", is
// "localhost", or has uppercase letters; otherwise the name lives on Docker
// Hub ("docker.io"), where one-element names get the "library/" prefix.
// A name without tag and digest gets tag "latest". Pure functions, no I/O.

#include <optional>
#include <string>
#include <string_view>

#include "base/digest.h"
#include "base/result.h"

namespace registry {

using base::Result;

inline constexpr std::string_view k_docker_hub_domain = "docker.io";
// Where Docker Hub's distribution API answers.
inline constexpr std::string_view k_docker_hub_endpoint = "registry-1.docker.io";
// The key docker writes Docker Hub credentials under in config.json.
inline constexpr std::string_view k_docker_hub_auth_key = "https://index.docker.io/v1/";

struct Reference {
  std::string domain;  // "docker.io", "localhost:5000", "[::1]:5000"
  std::string path;    // "library/alpine"
  std::string tag;     // empty only when pinned by digest without a tag
  std::optional<base::Digest> digest;

  // "docker.io/library/alpine"
  std::string name() const { return domain + "/" + path; }
  // What the manifest endpoint is asked for: the digest if pinned, else the tag.
  std::string manifest_ref() const { return digest ? digest->str() : tag; }
  // The full normalized form: name[:tag][@digest].
  std::string str() const;
  // The host (and port) the distribution API is reached at: docker.io maps to
  // registry-1.docker.io, every other domain is used as written.
  std::string endpoint_host() const;

  friend bool operator==(const Reference&, const Reference&) = default;
};

// Parses a reference as `docker pull` does. Errors start with
// "invalid reference format" and name the offending part.
Result<Reference> parse_reference(std::string_view text);

// The domain part without the port; brackets of an IPv6 literal removed.
std::string domain_host(std::string_view domain);

// Docker's default trust for plain HTTP: localhost, 127.0.0.0/8 and ::1
// (docker's default insecure-registries include 127.0.0.0/8).
bool is_loopback_domain(std::string_view domain);

// The familiar short form docker prints: "alpine:latest", "user/app:1",
// "localhost:5000/app@sha256:…".
std::string familiar_string(const Reference& ref);

}  // namespace registry
