#pragma once
// Internals shared by client.cc and blob_transfer.cc; not part of the API.

#include <memory>
#include <string>
#include <vector>

#include "registry/client.h"

namespace registry {

struct Client::Host {
  std::string domain;    // as in references: "localhost:5000"
  std::string base_url;  // "http://localhost:5000"
  std::unique_ptr<Authenticator> auth;
};

enum class RetryMode { transient, connect_only };

struct Client::Call {
  std::string method = "GET";
  std::string url;  // absolute
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;
  const BodySink* sink = nullptr;
  long sink_status = 0;
  std::vector<std::string> scopes;
  RetryMode retry = RetryMode::transient;
  // Set by execute(): the transfer broke after body bytes reached the sink,
  // so repeating it blindly would duplicate them. The caller may resume.
  bool interrupted = false;
};

// "<base>/v2/<path>/<suffix>".
std::string api_url(const Client::Host& host, const Reference& repo, const std::string& suffix);
// An upload Location made absolute, with `query` ("digest=…") appended.
std::string upload_url(const Client::Host& host, const std::string& location, const std::string& query = {});

}  // namespace registry
