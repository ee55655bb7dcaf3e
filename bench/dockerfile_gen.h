#pragma once
// Synthetic Dockerfiles for benchmarks and hostile-input tests: realistic
// instruction mixes (continuations, heredocs, multi-stage copies) of any size.

#include <string>

namespace bench {

// A Dockerfile with exactly `instructions` instructions spread over stages of
// at most 500 instructions each; later stages COPY --from earlier ones.
std::string generate_dockerfile(int instructions);

}  // namespace bench
