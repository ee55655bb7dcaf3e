#pragma once
// Structural digests of build graph ops: the basis of the solver's cache keys.
// A digest covers the op's kind and every semantic field (typed through
// base::Hasher, starting with the schema string k_schema) and the digests of
// its inputs, and nothing else: side tables (display names, stages, source
// lines) and Exec::proxy_env never contribute. A context source's
// `filesystem` digest is its name alone (see op_digests).

#include <vector>

#include "base/digest.h"
#include "solver/ir/ir.h"

namespace ir {

struct OpDigests {
  // The op with all its inputs' `op` digests: changes whenever anything upstream
  // changes, image-config edits included.
  base::Digest op;
  // The filesystem the op produces: a ConfigChange passes its input's value
  // through and other ops hash their inputs' `filesystem` digests, so a LABEL
  // or CMD edit does not invalidate the steps after it (what BuildKit keys on).
  base::Digest filesystem;
};

// One entry per op, in op order. `def` must pass validate().
std::vector<OpDigests> op_digests(const Definition& def);

}  // namespace ir
