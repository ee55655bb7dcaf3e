#pragma once
// Synthetic Dockerfiles for benchmarks and hostile-input tests: realistic
// instruction mixes (continuations, heredocs, multi-stage copies) of any size.

#include <string>

namespace bench {

// A Dockerfile with exactly `instructions` instructions spread over stages of
// at most `per_stage` instructions each; later stages COPY --from earlier ones.
// One huge stage (per_stage >= instructions) exposes costs that grow with the
// environment or the history of a stage.
std::string generate_dockerfile(int instructions, int per_stage = 500);

// One stage of `instructions` instructions that keeps growing its
// environment: every ENV and ARG declares a new name (values stay short) and
// the RUN, WORKDIR and COPY steps between them read the latest ones.
std::string generate_env_heavy_dockerfile(int instructions);

}  // namespace bench
