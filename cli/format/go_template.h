#pragma once
// The part of Go's text/template that `docker inspect --format` and
// `docker images --format` users write, evaluated over JSON data:
//
//   text, {{pipeline}}, {{- and -}} trimming, {{/* comments */}}
//   .Field.Chain, ., $ and $variables, "strings", `raw strings`, numbers,
//   true/false, ( sub-pipelines ), pipes |
//   {{if}} {{else if}} {{else}} {{end}}, {{range}} (with $k, $v :=), {{with}}
//   functions: json index len join split upper lower title truncate print
//              println printf (%s %d %v %q) not and or eq ne
//
// Values print as Go's fmt prints the decoded JSON: arrays as [a b], objects
// as map[k:v] with sorted keys, null as <nil>. A key an object does not have
// gives <no value> (Go's behaviour for maps; docker's typed structs would
// report an error for an unknown field instead).

#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace cli::format {

class GoTemplate {
 public:
  // Errors name the offending part and its byte offset in the template.
  static base::Result<GoTemplate> parse(std::string_view text);
  base::Result<std::string> execute(const nlohmann::json& data) const;

  struct Node;

 private:
  std::shared_ptr<const Node> m_root;  // immutable once parsed; copies share it
};

// Go's fmt %v of a decoded JSON value.
std::string format_value(const nlohmann::json& value);

}  // namespace cli::format
