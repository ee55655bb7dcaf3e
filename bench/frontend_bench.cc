// The frontend's cost: parse, check and lower synthetic Dockerfiles of growing
// size (continuations, heredocs, multi-stage copies). The figures the project
// holds itself to: 10,000 instructions in <= 100 ms median, <= 50 MB peak
// memory, and 10x the input costs <= 12x the time. Run:
//   build/release/bench/frontend_bench --benchmark_filter='BM_ParseCheckLower/'
//       --benchmark_repetitions=10 --benchmark_enable_random_interleaving=true
//       --benchmark_report_aggregates_only=true
// (interleaving the sizes keeps this machine's minute-to-minute speed swings
// out of the ratio between them).
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <sys/resource.h>
#ifdef KILN_WITH_MIMALLOC
#include <mimalloc.h>
#endif

#include <cstdlib>
#include <iostream>

#include "bench/dockerfile_gen.h"
#include "frontend/instructions/instructions.h"
#include "frontend/lower/lower.h"
#include "frontend/parser/parser.h"

namespace {

frontend::lower::LowerOptions bench_options() {
  frontend::lower::LowerOptions options;
  options.target_platform = ir::Platform{"linux", "amd64", ""};
  options.build_platform = options.target_platform;
  return options;
}

// One full pass: text → ast → instructions → graph. Aborts on error: a
// benchmark of a failing input measures nothing.
size_t parse_check_lower(const std::string& text, const frontend::lower::LowerOptions& options) {
  auto doc = frontend::parser::parse_dockerfile(text, "Dockerfile");
  if (!doc.ok()) {
    std::cerr << doc.error().render() << "\n";
    std::abort();
  }
  auto parsed = frontend::instructions::parse_instructions(*doc);
  if (!parsed.ok()) {
    std::cerr << parsed.error().render() << "\n";
    std::abort();
  }
  auto graph = frontend::lower::lower(*parsed, options);
  if (!graph.ok()) {
    std::cerr << graph.error().render() << "\n";
    std::abort();
  }
  return graph->ops.size();
}

void BM_ParseCheckLower(benchmark::State& state) {
  const std::string text = bench::generate_dockerfile(static_cast<int>(state.range(0)));
  const auto options = bench_options();
  for (auto _ : state) benchmark::DoNotOptimize(parse_check_lower(text, options));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(text.size()));
  state.counters["instructions"] = static_cast<double>(state.range(0));
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  state.counters["peak_rss_MB"] = static_cast<double>(usage.ru_maxrss) / 1024.0;
}
BENCHMARK(BM_ParseCheckLower)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

// The same work in a single stage: must stay linear too.
void BM_ParseCheckLowerOneStage(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const std::string text = bench::generate_dockerfile(n, n);
  const auto options = bench_options();
  for (auto _ : state) benchmark::DoNotOptimize(parse_check_lower(text, options));
  state.counters["instructions"] = static_cast<double>(n);
}
BENCHMARK(BM_ParseCheckLowerOneStage)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

// Lowering alone (parsed once, outside the timed loop); range(1) = the
// instructions per stage (one stage: the environment grows with every
// ENV/ARG, the cost per step must not).
void BM_LowerOnly(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const std::string text = bench::generate_dockerfile(n, static_cast<int>(state.range(1)));
  const auto options = bench_options();
  auto doc = frontend::parser::parse_dockerfile(text, "Dockerfile");
  if (!doc.ok()) std::abort();
  auto parsed = frontend::instructions::parse_instructions(*doc);
  if (!parsed.ok()) std::abort();
  for (auto _ : state) {
    auto graph = frontend::lower::lower(*parsed, options);
    if (!graph.ok()) std::abort();
    benchmark::DoNotOptimize(graph->ops.size());
  }
  state.counters["instructions"] = static_cast<double>(n);
}
BENCHMARK(BM_LowerOnly)
    ->Args({10000, 500})
    ->Args({100000, 500})
    ->Args({1000, 1000})
    ->Args({10000, 10000})
    ->Unit(benchmark::kMillisecond);

// One stage whose environment grows by two names every five instructions.
void BM_ParseCheckLowerManyEnv(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const std::string text = bench::generate_env_heavy_dockerfile(n);
  const auto options = bench_options();
  for (auto _ : state) benchmark::DoNotOptimize(parse_check_lower(text, options));
  state.counters["instructions"] = static_cast<double>(n);
}
BENCHMARK(BM_ParseCheckLowerManyEnv)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

// A file of short RUN and exec-form COPY lines, just under `bytes` long.
std::string many_instructions(size_t bytes) {
  std::string text = "FROM alpine\n";
  const std::string run = "RUN echo a reasonably long shell command line && make -j4 install\n";
  const std::string copy = "COPY --chown=1:1 [\"src dir/\", \"/app/\"]\n";
  for (size_t lines = 1;; ++lines) {
    const std::string& next = lines % 8 == 0 ? copy : run;
    if (text.size() + next.size() > bytes) return text;
    text += next;
  }
}

// Hostile input must end quickly, accepted or refused with an error: a 50 MB
// file, a 1,000,000-character line, 300,000 continuation lines and an ARG
// expansion bomb; and the largest file accepted. range(0) picks the input;
// the full frontend runs on it.
std::string hostile_input(int which) {
  switch (which) {
    case 0:
      return many_instructions(50u * 1024 * 1024 + 100);
    case 1:
      return "FROM alpine\nRUN " + std::string(1000000, 'x') + "\n";
    case 2: {
      std::string text = "FROM alpine\nRUN echo \\\n";
      for (int i = 0; i < 300000; ++i) text += "  a \\\n";
      return text + "  end\n";
    }
    case 3: {
      std::string text = "FROM alpine\nARG a=xxxxxxxxxx\n";
      for (int i = 0; i < 40; ++i) text += "ARG a=${a}${a}\n";
      return text + "RUN echo $a\n";
    }
    default:
      return many_instructions(frontend::parser::k_max_dockerfile_size);
  }
}

void BM_HostileInput(benchmark::State& state) {
  const std::string text = hostile_input(static_cast<int>(state.range(0)));
  const auto options = bench_options();
  bool accepted = false;
  for (auto _ : state) {
    auto doc = frontend::parser::parse_dockerfile(text, "Dockerfile");
    if (!doc.ok()) continue;
    auto parsed = frontend::instructions::parse_instructions(*doc);
    if (!parsed.ok()) continue;
    auto graph = frontend::lower::lower(*parsed, options);
    accepted = graph.ok();
    benchmark::DoNotOptimize(accepted);
  }
  state.SetLabel(accepted ? "accepted" : "refused");
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  state.counters["peak_rss_MB"] = static_cast<double>(usage.ru_maxrss) / 1024.0;
}
BENCHMARK(BM_HostileInput)->DenseRange(0, 4)->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(3);

void BM_ParseOnly(benchmark::State& state) {
  const std::string text = bench::generate_dockerfile(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto doc = frontend::parser::parse_dockerfile(text, "Dockerfile");
    benchmark::DoNotOptimize(doc.ok());
  }
}
BENCHMARK(BM_ParseOnly)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

// Every size is measured with warm memory: the allocator keeps what an
// iteration frees for the next one. Otherwise the large inputs, whose big
// tables the allocator hands back to the kernel after each iteration, would
// pay for fresh zeroed pages every time while the small ones reuse theirs,
// and the 10x-input figure would measure the kernel's page faults (a
// one-shot kiln process pays them once per page at every size alike).
void keep_freed_memory() {
#ifdef KILN_WITH_MIMALLOC
  mi_option_disable(mi_option_allow_decommit);
  (void)mi_reserve_os_memory(size_t{1} << 30, /*commit=*/false, /*allow_large=*/true);
#else
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
}

}  // namespace

int main(int argc, char** argv) {
  keep_freed_memory();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
