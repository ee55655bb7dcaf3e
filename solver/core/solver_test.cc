#include "solver/core/solver.h"

#include <condition_variable>
#include <map>
#include <mutex>

#include <gtest/gtest.h>

namespace solver {
namespace {

// Runs ops by writing "<op>(<inputs>)" into the snapshot field, so a result
// shows which inputs it was made from. Context content comes from `files`.
class FakeExecutor final : public OpExecutor {
 public:
  base::Result<std::optional<ContentKey>> content_key(
      uint32_t op, const std::vector<const VertexResult*>&) override {
    if (!content_ops.count(op)) return std::optional<ContentKey>{};
    std::lock_guard lock(mutex);
    return std::optional<ContentKey>{
        ContentKey{base::Sha256::of(files), "files", files}};
  }
  base::Result<VertexResult> run(uint32_t op, const std::vector<const VertexResult*>& inputs,
                                 StepContext& step) override {
    if (rendezvous.count(op)) meet();
    {
      std::lock_guard lock(mutex);
      ++runs[op];
    }
    if (failing.count(op)) return base::make_error("exit code 2");
    auto prev = step.previous_run();
    if (!prev.ok()) return prev.error();
    {
      std::lock_guard lock(mutex);
      previous[op] = *prev;
    }
    step.log(1, "working\n");
    std::string s = std::to_string(op) + "(";
    for (const VertexResult* in : inputs) s += in->snapshot + ",";
    return VertexResult{s + ")", ""};
  }
  base::Result<bool> still_valid(const VertexResult& r) override { return !pruned.count(r.snapshot); }
  void discard(const VertexResult& r) override {
    std::lock_guard lock(mutex);
    discarded.push_back(r.snapshot);
  }
  std::vector<std::string> explain(const std::string&, const std::string& before,
                                   const std::string& after) override {
    return {"files: " + before + " -> " + after};
  }

  // Both ops in `rendezvous` must be running at the same time.
  void meet() {
    std::unique_lock lock(mutex);
    ++arrived;
    cv.notify_all();
    met = cv.wait_for(lock, std::chrono::seconds(10), [&] { return arrived >= 2; }) && met;
  }

  std::mutex mutex;
  std::condition_variable cv;
  int arrived = 0;
  bool met = true;
  std::set<uint32_t> content_ops, failing, rendezvous;
  std::set<std::string> pruned;
  std::string files = "a=1";
  std::map<uint32_t, int> runs;
  std::map<uint32_t, std::optional<PreviousRun>> previous;  // what the last run of each op was offered
  std::vector<std::string> discarded;
};

// Counts the step records written.
class CountingIndex final : public CacheIndex {
 public:
  base::Result<std::optional<VertexResult>> lookup(const std::string& key) override { return inner.lookup(key); }
  base::Result<void> store(const std::string& key, const VertexResult& r) override { return inner.store(key, r); }
  base::Result<VertexResult> store_first(const std::string& key, const VertexResult& r) override {
    return inner.store_first(key, r);
  }
  base::Result<std::optional<StepRecord>> last_step(const std::string& id) override { return inner.last_step(id); }
  base::Result<std::optional<std::string>> last_step_fingerprint(const std::string& id) override {
    return inner.last_step_fingerprint(id);
  }
  base::Result<void> remember_step(const std::string& id, const StepRecord& record) override {
    ++remembered;
    return inner.remember_step(id, record);
  }
  MemoryCacheIndex inner;
  int remembered = 0;
};

class Events final : public ProgressSink {
 public:
  void on_event(const ProgressEvent& e) override {
    std::lock_guard lock(mutex);
    events.push_back(e);
  }
  int count(EventKind kind) {
    std::lock_guard lock(mutex);
    int n = 0;
    for (const auto& e : events) n += e.kind == kind;
    return n;
  }
  std::mutex mutex;
  std::vector<ProgressEvent> events;
};

ir::OpInfo step(std::string name, int stage = 0, int line = 0) {
  return ir::OpInfo{std::move(name), stage, ir::SourceRange{"Dockerfile", line, line}};
}

// scratch → COPY (from context) → LABEL → COPY
struct Chain {
  ir::Definition def;
  uint32_t scratch, context, copy1, label, copy2;
  Chain(std::string label_value = "v1", std::string dest = "/a") {
    scratch = def.add(ir::Scratch{}, {});
    context = def.add(ir::ContextSource{}, {}, step("[internal] load build context", -1));
    ir::Copy c;
    c.src_input = 1;
    c.src = "/";
    c.dest = dest;
    copy1 = def.add(ir::File{{c}}, {{scratch, 0}, {context, 0}}, step("[1/3] COPY . " + dest, 0, 2));
    ir::ConfigChange l;
    l.kind = ir::ConfigKind::label;
    l.pairs = {{"v", label_value}};
    label = def.add(l, {{copy1, 0}}, step("[2/3] LABEL v=" + label_value, 0, 3));
    ir::Mkdir m;
    m.path = "/b";
    copy2 = def.add(ir::File{{m}}, {{label, 0}}, step("[3/3] RUN mkdir /b", 0, 4));
    def.terminal = {copy2, 0};
    def.stages.push_back(ir::Stage{"app", 0, copy2, "scratch", {}});
  }
};

SolveOptions scoped() {
  SolveOptions o;
  o.step_scope = "project";
  o.explain = true;
  return o;
}

TEST(Solver, RunsEachNeededOpOnceThenHitsTheCache) {
  Chain g;
  FakeExecutor exec;
  exec.content_ops = {g.copy1};
  MemoryCacheIndex index;
  Events events;
  auto first = solve(g.def, exec, index, events, scoped());
  ASSERT_TRUE(first.ok()) << first.error().render();
  EXPECT_EQ(exec.runs[g.copy1], 1);
  EXPECT_EQ(exec.runs[g.copy2], 1);
  EXPECT_EQ(first->results[g.copy2]->snapshot, "4(2(,1(),),)");
  EXPECT_EQ(first->results[g.label], first->results[g.copy1]);

  auto second = solve(g.def, exec, index, events, scoped());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(exec.runs[g.copy1], 1);
  EXPECT_EQ(exec.runs[g.copy2], 1);
  ASSERT_EQ(second->steps.size(), 3u);  // context, COPY, RUN; the LABEL is not a step
  EXPECT_EQ(second->steps[1].state, StepState::cached);
  EXPECT_EQ(second->steps[2].state, StepState::cached);
  EXPECT_EQ(second->keys, first->keys);
  EXPECT_EQ(events.count(EventKind::step_cached), 2);
}

TEST(Solver, ConfigEditDoesNotInvalidateLaterSteps) {
  FakeExecutor exec;
  MemoryCacheIndex index;
  Events events;
  Chain a("v1"), b("v2");
  ASSERT_TRUE(solve(a.def, exec, index, events, scoped()).ok());
  auto r = solve(b.def, exec, index, events, scoped());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(exec.runs[a.copy2], 1);
}

TEST(Solver, ContentChangeMissesAndIsExplained) {
  Chain g;
  FakeExecutor exec;
  exec.content_ops = {g.copy1};
  MemoryCacheIndex index;
  Events events;
  ASSERT_TRUE(solve(g.def, exec, index, events, scoped()).ok());
  exec.files = "a=2";
  auto r = solve(g.def, exec, index, events, scoped());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(exec.runs[g.copy1], 2);
  EXPECT_EQ(exec.runs[g.copy2], 2);
  const StepOutcome& copy = r->steps[1];
  EXPECT_EQ(copy.state, StepState::ran);
  ASSERT_EQ(copy.reasons.size(), 1u);
  EXPECT_EQ(copy.reasons[0], "files: a=1 -> a=2");
  const StepOutcome& run = r->steps[2];
  ASSERT_EQ(run.reasons.size(), 1u);
  EXPECT_EQ(run.reasons[0], "previous step changed: [1/3] COPY . /a");  // LABEL is not a step
}

TEST(Solver, InstructionChangeIsExplained) {
  FakeExecutor exec;
  MemoryCacheIndex index;
  Events events;
  Chain a("v1", "/a"), b("v1", "/z");
  ASSERT_TRUE(solve(a.def, exec, index, events, scoped()).ok());
  auto r = solve(b.def, exec, index, events, scoped());
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->steps[1].reasons.empty());
  EXPECT_EQ(r->steps[1].reasons[0], "instruction changed: \"COPY . /a\" -> \"COPY . /z\"");
}

TEST(Solver, FirstBuildAndNoCacheAreExplained) {
  Chain g;
  FakeExecutor exec;
  MemoryCacheIndex index;
  Events events;
  auto r = solve(g.def, exec, index, events, scoped());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->steps[1].reasons, std::vector<std::string>{"no earlier build of this step in this project"});
  SolveOptions o = scoped();
  o.no_cache = true;
  r = solve(g.def, exec, index, events, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(exec.runs[g.copy1], 2);
  EXPECT_EQ(r->steps[1].reasons[0], "cache disabled for this step (--no-cache or --no-cache-filter)");
}

TEST(Solver, NoCacheFilterAppliesToTheNamedStageOnly) {
  Chain g;
  FakeExecutor exec;
  MemoryCacheIndex index;
  Events events;
  ASSERT_TRUE(solve(g.def, exec, index, events, scoped()).ok());
  SolveOptions o = scoped();
  o.no_cache_stages = {"other"};
  ASSERT_TRUE(solve(g.def, exec, index, events, o).ok());
  EXPECT_EQ(exec.runs[g.copy1], 1);
  o.no_cache_stages = {"app"};
  ASSERT_TRUE(solve(g.def, exec, index, events, o).ok());
  EXPECT_EQ(exec.runs[g.copy1], 2);
}

TEST(Solver, PrunedResultIsRebuilt) {
  Chain g;
  FakeExecutor exec;
  MemoryCacheIndex index;
  Events events;
  auto first = solve(g.def, exec, index, events, scoped());
  ASSERT_TRUE(first.ok());
  exec.pruned.insert(first->results[g.copy2]->snapshot);
  auto r = solve(g.def, exec, index, events, scoped());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(exec.runs[g.copy1], 1);
  EXPECT_EQ(exec.runs[g.copy2], 2);
  EXPECT_EQ(r->steps[2].reasons[0],
            "the cached result was removed since the last build (pruned or never stored)");
}

TEST(Solver, FailureNamesTheStepAndLineAndStopsDependents) {
  Chain g;
  FakeExecutor exec;
  exec.failing = {g.copy1};
  MemoryCacheIndex index;
  Events events;
  auto r = solve(g.def, exec, index, events, scoped());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "[1/3] COPY . /a: exit code 2");
  ASSERT_TRUE(r.error().pos.has_value());
  EXPECT_EQ(r.error().pos->line, 2);
  EXPECT_EQ(exec.runs[g.copy2], 0);
  EXPECT_EQ(events.count(EventKind::step_failed), 1);
}

TEST(Solver, IndependentStagesRunInParallel) {
  ir::Definition def;
  uint32_t s = def.add(ir::Scratch{}, {});
  ir::Mkdir a, b;
  a.path = "/a";
  b.path = "/b";
  uint32_t sa = def.add(ir::File{{a}}, {{s, 0}}, step("[a 1/1] mkdir a", 0));
  uint32_t sb = def.add(ir::File{{b}}, {{s, 0}}, step("[b 1/1] mkdir b", 1));
  ir::Copy c;
  c.src_input = 1;
  c.src = "/a";
  c.dest = "/";
  uint32_t join = def.add(ir::File{{c}}, {{sb, 0}, {sa, 0}}, step("[b 2/2] COPY --from=a", 1));
  def.terminal = {join, 0};
  def.stages.push_back(ir::Stage{"a", 0, sa, "scratch", {}});
  def.stages.push_back(ir::Stage{"b", 1, join, "scratch", {}});
  FakeExecutor exec;
  exec.rendezvous = {sa, sb};
  MemoryCacheIndex index;
  Events events;
  SolveOptions o;
  o.max_parallel = 2;
  auto r = solve(def, exec, index, events, o);
  ASSERT_TRUE(r.ok()) << r.error().render();
  EXPECT_TRUE(exec.met) << "the two stages did not run at the same time";
  EXPECT_EQ(r->results[join]->snapshot, "3(2(,),1(,),)");
}

// Another build stores the same key while ours runs: its result wins and
// ours is discarded, so both builds end with one result.
class RacingIndex final : public CacheIndex {
 public:
  base::Result<std::optional<VertexResult>> lookup(const std::string& key) override {
    return inner.lookup(key);
  }
  base::Result<void> store(const std::string& key, const VertexResult& r) override {
    return inner.store(key, r);
  }
  base::Result<VertexResult> store_first(const std::string& key, const VertexResult& r) override {
    TRY(inner.store(key, VertexResult{"theirs-" + key.substr(7, 6), ""}));
    return inner.store_first(key, r);
  }
  base::Result<std::optional<StepRecord>> last_step(const std::string& id) override {
    return inner.last_step(id);
  }
  base::Result<std::optional<std::string>> last_step_fingerprint(const std::string& id) override {
    return inner.last_step_fingerprint(id);
  }
  base::Result<void> remember_step(const std::string& id, const StepRecord& r) override {
    return inner.remember_step(id, r);
  }
  MemoryCacheIndex inner;
};

TEST(Solver, ConcurrentBuildOfTheSameStepConvergesOnTheFirstResult) {
  Chain g;
  FakeExecutor exec;
  RacingIndex index;
  Events events;
  auto r = solve(g.def, exec, index, events, scoped());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->results[g.copy2]->snapshot.rfind("theirs-", 0), 0u) << r->results[g.copy2]->snapshot;
  EXPECT_EQ(exec.discarded.size(), 2u);  // our two file results
  // --no-cache results are ours: they replace the record.
  SolveOptions o = scoped();
  o.no_cache = true;
  r = solve(g.def, exec, index, events, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->results[g.copy2]->snapshot.rfind("4(", 0), 0u) << r->results[g.copy2]->snapshot;
}

TEST(Solver, LogsReachTheProgressSink) {
  Chain g;
  FakeExecutor exec;
  MemoryCacheIndex index;
  Events events;
  ASSERT_TRUE(solve(g.def, exec, index, events, {}).ok());
  EXPECT_EQ(events.count(EventKind::step_log), 3);
  EXPECT_EQ(events.count(EventKind::step_started), 3);
  EXPECT_EQ(events.count(EventKind::step_finished), 3);
}

TEST(Solver, RerunOfAStepWhoseContentChangedIsOfferedItsPreviousResult) {
  Chain g;
  FakeExecutor exec;
  exec.content_ops = {g.copy1};
  MemoryCacheIndex index;
  Events events;
  auto first = solve(g.def, exec, index, events, scoped());
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(exec.previous[g.copy1].has_value());  // first build
  exec.files = "a=2";
  ASSERT_TRUE(solve(g.def, exec, index, events, scoped()).ok());
  ASSERT_TRUE(exec.previous[g.copy1].has_value());
  EXPECT_EQ(exec.previous[g.copy1]->result, *first->results[g.copy1]);
  EXPECT_EQ(exec.previous[g.copy1]->content.detail.get(), "a=1");
  EXPECT_EQ(exec.previous[g.copy1]->current.detail.get(), "a=2");
  // The next step's input changed, not content it reads: nothing to reuse.
  EXPECT_FALSE(exec.previous[g.copy2].has_value());
}

TEST(Solver, PreviousResultIsNotOfferedWhenTheStepChangedOrItWasPruned) {
  FakeExecutor exec;
  MemoryCacheIndex index;
  Events events;
  Chain a("v1", "/a"), b("v1", "/z");
  exec.content_ops = {a.copy1};
  auto first = solve(a.def, exec, index, events, scoped());
  ASSERT_TRUE(first.ok());
  exec.files = "a=2";
  ASSERT_TRUE(solve(b.def, exec, index, events, scoped()).ok());
  EXPECT_FALSE(exec.previous[b.copy1].has_value());  // another destination
  exec.files = "a=3";
  auto second = solve(b.def, exec, index, events, scoped());
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(exec.previous[b.copy1].has_value());
  exec.pruned.insert(second->results[b.copy1]->snapshot);
  exec.files = "a=4";
  ASSERT_TRUE(solve(b.def, exec, index, events, scoped()).ok());
  EXPECT_FALSE(exec.previous[b.copy1].has_value());
  // --no-cache takes nothing from earlier results.
  exec.files = "a=5";
  SolveOptions no_cache = scoped();
  no_cache.no_cache = true;
  ASSERT_TRUE(solve(b.def, exec, index, events, no_cache).ok());
  EXPECT_FALSE(exec.previous[b.copy1].has_value());
}

TEST(Solver, CachedStepsDoNotRewriteAnUnchangedStepRecord) {
  Chain g;
  FakeExecutor exec;
  exec.content_ops = {g.copy1};
  CountingIndex index;
  Events events;
  ASSERT_TRUE(solve(g.def, exec, index, events, scoped()).ok());
  EXPECT_EQ(index.remembered, 3);  // the context and both steps
  index.remembered = 0;
  ASSERT_TRUE(solve(g.def, exec, index, events, scoped()).ok());
  // Nothing changed, so nothing is written: not even for the context, which
  // is read on every build.
  EXPECT_EQ(index.remembered, 0);
  // A change is still recorded and explained against the last build.
  exec.files = "a=2";
  auto r = solve(g.def, exec, index, events, scoped());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->steps[1].reasons, std::vector<std::string>{"files: a=1 -> a=2"});
  exec.files = "a=1";  // back to the first content: a cache hit, recorded again
  index.remembered = 0;
  ASSERT_TRUE(solve(g.def, exec, index, events, scoped()).ok());
  EXPECT_EQ(index.remembered, 2);  // both steps; the context's record is the same
  exec.files = "a=3";
  r = solve(g.def, exec, index, events, scoped());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->steps[1].reasons, std::vector<std::string>{"files: a=1 -> a=3"});
}

}  // namespace
}  // namespace solver
