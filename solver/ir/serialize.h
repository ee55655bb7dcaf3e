#pragma once
// Deterministic text forms of a build graph: JSON for tools and golden tests,
// DOT for pictures (`dot -Tsvg`). Same Definition ⇒ byte-identical output:
// fields are written in a fixed order, lists in their stored (canonical) order,
// and nothing depends on addresses or unordered containers.

#include <string>

#include <nlohmann/json.hpp>

#include "solver/ir/ir.h"

namespace ir {

// {"schema", "target", "terminal", "stages": [...], "ops": [{"index", "kind",
// "digest", "inputs", <kind fields>, "info": {side table}}]}. `def` must pass validate().
// Strings are the Dockerfile's bytes: dump the value with
// error_handler_t::replace, as to_json does, since they need not be UTF-8.
nlohmann::ordered_json to_json_value(const Definition& def);
// to_json_value(def) dumped with two-space indentation and a final newline.
std::string to_json(const Definition& def);

// The kind and fields of one op as to_json_value writes them, without its
// index, digest, inputs and side table.
nlohmann::ordered_json op_fields_json(const Op& op);

// A Graphviz digraph: one cluster per stage holding its steps in order, shared
// sources outside, solid edges for the filesystem chain (input 0) and dashed,
// labelled edges for COPY --from, ADD sources and RUN --mount inputs.
std::string to_dot(const Definition& def);

}  // namespace ir
