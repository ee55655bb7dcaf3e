#include "solver/core/solver.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include <tbb/task_arena.h>
#include <tbb/task_group.h>

#include "solver/core/explain.h"
#include "solver/ir/digest.h"

namespace solver {

namespace {

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

class Solve;

class OpStep final : public StepContext {
 public:
  // `step_id` empty: no previous run is offered (no step records, or the
  // cache is not to be used for this step).
  OpStep(Solve& solve, int number, const std::string& name, const std::string& step_id,
         const StepRecord& record)
      : m_solve(solve), m_number(number), m_name(name), m_step_id(step_id), m_record(record) {}
  void log(int stream, std::string_view data) override;
  bool canceled() const override;
  base::Result<std::optional<PreviousRun>> previous_run() override;

 private:
  Solve& m_solve;
  int m_number;
  const std::string& m_name;
  const std::string& m_step_id;
  const StepRecord& m_record;
};

class Solve {
 public:
  Solve(const ir::Definition& def, OpExecutor& executor, CacheIndex& index, ProgressSink& progress,
        const SolveOptions& options)
      : m_def(def), m_exec(executor), m_index(index), m_progress(progress), m_opt(options),
        m_digests(ir::op_digests(def)), m_pending(def.ops.size()) {
    size_t n = def.ops.size();
    m_result.results.resize(n);
    m_result.keys.resize(n);
    m_needed.assign(n, false);
    m_dependents.resize(n);
    m_number.assign(n, 0);
    m_ordinal.assign(n, 0);
  }

  base::Result<SolveResult> run(SolveResult* partial) {
    mark_needed();
    int next_number = 0;
    std::map<int, int> steps_in_stage;
    for (uint32_t op = 0; op < m_def.ops.size(); ++op) {
      if (!displayed(op)) continue;
      m_ordinal[op] = steps_in_stage[m_def.info[op].stage]++;
      if (m_needed[op]) m_number[op] = ++next_number;
    }
    std::vector<uint32_t> ready;
    for (uint32_t op = 0; op < m_def.ops.size(); ++op) {
      if (!m_needed[op]) continue;
      std::vector<uint32_t> deps = distinct_inputs(op);
      m_pending[op].store(static_cast<int>(deps.size()));
      for (uint32_t d : deps) m_dependents[d].push_back(op);
      if (deps.empty()) ready.push_back(op);
    }
    unsigned parallel = m_opt.max_parallel ? m_opt.max_parallel
                                           : std::max(1u, std::thread::hardware_concurrency());
    tbb::task_arena arena(static_cast<int>(parallel));
    arena.execute([&] {
      for (uint32_t op : ready) m_group.run([this, op] { process(op); });
      m_group.wait();
    });
    std::sort(m_result.steps.begin(), m_result.steps.end(),
              [](const StepOutcome& a, const StepOutcome& b) { return a.number < b.number; });
    // Also after a failure: the steps that ran explain the next build.
    auto remembered = m_index.remember_steps(m_changed_records);
    if (partial) *partial = m_result;
    if (m_error) return *m_error;
    if (!remembered.ok()) return remembered.error();
    return std::move(m_result);
  }

  void emit(ProgressEvent event) {
    event.time_ns = now_ns();
    m_progress.on_event(event);
  }
  bool canceled() const { return m_canceled.load() || interrupted(); }
  bool interrupted() const { return m_opt.interrupted && m_opt.interrupted->load(); }

  // The last result of step `sid` when its record differs from `now` only
  // in the content read (see PreviousRun).
  base::Result<std::optional<PreviousRun>> previous_run(const std::string& sid, const StepRecord& now) {
    std::optional<PreviousRun> none;
    if (sid.empty() || !now.content) return none;
    TRY_ASSIGN(auto before, m_index.last_step(sid));
    if (!before || !before->content || before->key == now.key) return none;
    if (before->definition != now.definition || before->input_keys != now.input_keys ||
        before->content->kind != now.content->kind) {
      return none;
    }
    TRY_ASSIGN(auto found, m_index.lookup(before->key));
    if (!found) return none;
    TRY_ASSIGN(bool valid, m_exec.still_valid(*found));
    if (!valid) return none;
    return std::optional<PreviousRun>{PreviousRun{std::move(*found), std::move(*before->content), *now.content}};
  }

 private:
  bool displayed(uint32_t op) const {
    const ir::Op& o = m_def.ops[op];
    if (std::holds_alternative<ir::ConfigChange>(o) || std::holds_alternative<ir::Scratch>(o))
      return false;
    return !m_def.info[op].display_name.empty();
  }

  void mark_needed() {
    std::vector<uint32_t> stack{m_def.terminal.op};
    while (!stack.empty()) {
      uint32_t op = stack.back();
      stack.pop_back();
      if (m_needed[op]) continue;
      m_needed[op] = true;
      for (const ir::Input& in : m_def.inputs[op]) stack.push_back(in.op);
    }
  }

  std::vector<uint32_t> distinct_inputs(uint32_t op) const {
    std::vector<uint32_t> deps;
    for (const ir::Input& in : m_def.inputs[op]) deps.push_back(in.op);
    std::sort(deps.begin(), deps.end());
    deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
    return deps;
  }

  bool lookups_allowed(uint32_t op) const {
    if (std::holds_alternative<ir::ImageSource>(m_def.ops[op])) return true;
    if (m_opt.no_cache) return false;
    int stage = m_def.info[op].stage;
    if (stage >= 0 && static_cast<size_t>(stage) < m_def.stages.size()) {
      const ir::Stage& st = m_def.stages[static_cast<size_t>(stage)];
      std::string name = st.name.empty() ? std::to_string(st.index) : st.name;
      if (m_opt.no_cache_stages.count(name)) return false;
    }
    return true;
  }

  // The step a user sees behind an input: config edits are not steps, so
  // look through them to the filesystem step they pass along.
  std::string step_name(uint32_t op) const {
    while (std::holds_alternative<ir::ConfigChange>(m_def.ops[op]) && !m_def.inputs[op].empty())
      op = m_def.inputs[op][0].op;
    return m_def.info[op].display_name;
  }

  std::string step_id(uint32_t op) const {
    const ir::OpInfo& info = m_def.info[op];
    // The op's place: its stage and its ordinal among that stage's steps.
    return base::Hasher("kiln.step.v1")
        .str(m_opt.step_scope)
        .i64(info.stage)
        .i64(m_ordinal[op])
        .str(info.stage < 0 ? info.display_name : std::string())
        .finish()
        .str();
  }

  void fail(uint32_t op, base::Error error) {
    const ir::OpInfo& info = m_def.info[op];
    bool first = false;
    {
      std::lock_guard lock(m_mutex);
      if (!m_error) {
        first = true;
        base::Error e = std::move(error);
        e.message = (info.display_name.empty() ? std::string("step") : info.display_name) +
                    ": " + e.message;
        if (!e.pos && info.range.start_line > 0)
          e.pos = base::SourcePos{info.range.file, info.range.start_line, 0, {}};
        m_error = std::move(e);
      }
    }
    m_canceled.store(true);
    ProgressEvent ev;
    ev.kind = first ? EventKind::step_failed : EventKind::step_canceled;
    ev.step = m_number[op];
    ev.name = info.display_name;
    if (first) ev.message = m_error->message;
    if (ev.step > 0) emit(std::move(ev));
  }

  void process(uint32_t op) {
    if (!m_canceled.load() && interrupted()) fail(op, base::make_error("build interrupted"));
    if (!m_canceled.load()) {
      auto r = solve_one(op);
      if (!r.ok()) fail(op, r.error());
    }
    if (m_canceled.load()) return;
    for (uint32_t dep : m_dependents[op]) {
      if (m_pending[dep].fetch_sub(1) == 1) m_group.run([this, dep] { process(dep); });
    }
  }

  base::Result<void> solve_one(uint32_t op) {
    const ir::Op& o = m_def.ops[op];
    const ir::OpInfo& info = m_def.info[op];
    std::vector<const VertexResult*> inputs;
    std::vector<std::string> input_keys;
    std::vector<std::string> input_names;
    {
      std::lock_guard lock(m_mutex);
      for (const ir::Input& in : m_def.inputs[op]) {
        inputs.push_back(&*m_result.results[in.op]);
        input_keys.push_back(m_result.keys[in.op]);
        input_names.push_back(step_name(in.op));
      }
    }
    if (std::holds_alternative<ir::Scratch>(o)) {
      return finish(op, base::Hasher(k_cache_key_schema).str("scratch").finish().str(), {});
    }
    if (std::holds_alternative<ir::ConfigChange>(o)) {
      return finish(op, input_keys.at(0), *inputs.at(0));
    }
    StepOutcome outcome;
    outcome.op = op;
    outcome.number = m_number[op];
    outcome.name = info.display_name;
    int64_t started = now_ns();

    base::Hasher key(k_cache_key_schema);
    key.str(ir::op_kind(o)).digest(m_digests[op].filesystem).list(input_keys.size());
    for (const std::string& k : input_keys) key.str(k);
    std::optional<ContentKey> content;
    if (!std::holds_alternative<ir::ContextSource>(o)) {
      auto ck = m_exec.content_key(op, inputs);
      if (!ck.ok()) return ck.error();
      content = std::move(*ck);
    }
    key.boolean(content.has_value());
    if (content) key.str(content->kind).digest(content->digest);
    outcome.key = key.finish().str();

    bool cacheable = !std::holds_alternative<ir::ContextSource>(o);
    std::optional<VertexResult> hit;
    bool stale_record = false;  // recorded, but its result is gone: overwrite it
    if (cacheable && lookups_allowed(op)) {
      TRY_ASSIGN(auto found, m_index.lookup(outcome.key));
      if (found) {
        TRY_ASSIGN(bool valid, m_exec.still_valid(*found));
        if (valid) hit = std::move(found);
        stale_record = !valid;
      }
    }

    StepRecord record{outcome.key, info.display_name, definition_json(op), input_keys,
                      input_names, content};
    std::string sid = m_opt.step_scope.empty() || !displayed(op) ? std::string() : step_id(op);
    if (!hit && m_opt.explain && !cacheable) {
      outcome.reasons = {"read on every build; the steps that copy from it check its files"};
    } else if (!hit && m_opt.explain && !sid.empty()) {
      TRY_ASSIGN(auto before, m_index.last_step(sid));
      outcome.reasons = explain_miss(before, record, m_exec, lookups_allowed(op));
    }

    VertexResult result;
    if (hit) {
      result = std::move(*hit);
      outcome.state = StepState::cached;
      if (outcome.number > 0) emit({EventKind::step_cached, outcome.number, info.display_name});
    } else {
      if (outcome.number > 0) emit({EventKind::step_started, outcome.number, info.display_name});
      // --no-cache builds from scratch: nothing of an earlier result is reused.
      const std::string reuse_sid = lookups_allowed(op) ? sid : std::string();
      OpStep step(*this, outcome.number, info.display_name, reuse_sid, record);
      auto ran = m_exec.run(op, inputs, step);
      if (!ran.ok()) {
        outcome.state = m_canceled.load() ? StepState::canceled : StepState::failed;
        outcome.seconds = static_cast<double>(now_ns() - started) / 1e9;
        std::lock_guard lock(m_mutex);
        if (outcome.number > 0) m_result.steps.push_back(outcome);
        return ran.error();
      }
      result = std::move(*ran);
      if (cacheable) {
        TRY_ASSIGN(result, record_result(op, outcome.key, std::move(result), stale_record));
      }
      outcome.state = StepState::ran;
      if (outcome.number > 0)
        emit({EventKind::step_finished, outcome.number, info.display_name});
    }
    if (!sid.empty()) TRY(remember(sid, record));
    outcome.seconds = static_cast<double>(now_ns() - started) / 1e9;
    {
      std::lock_guard lock(m_mutex);
      if (outcome.number > 0) m_result.steps.push_back(outcome);
    }
    return finish(op, outcome.key, std::move(result));
  }

  // Keeps what the step saw for the next --explain-cache. A step usually
  // saw exactly what was recorded last time (every cached step, and steps
  // that always run, like reading the context): comparing fingerprints is
  // cheaper than writing the record again (a durable transaction, and for a
  // large COPY a list of every file) or reading it back.
  // Changed records are written together when the build ends: one durable
  // transaction instead of one per step.
  base::Result<void> remember(const std::string& sid, const StepRecord& record) {
    TRY_ASSIGN(auto before, m_index.last_step_fingerprint(sid));
    if (before && *before == step_record_fingerprint(record)) return {};
    std::lock_guard lock(m_mutex);
    m_changed_records.emplace_back(sid, record);
    return {};
  }

  // Stores a fresh result. With the cache in use, a result another build
  // recorded meanwhile wins and ours is discarded; --no-cache and stale
  // records overwrite.
  base::Result<VertexResult> record_result(uint32_t op, const std::string& key, VertexResult result,
                                           bool stale_record) {
    if (!lookups_allowed(op) || stale_record) {
      TRY(m_index.store(key, result));
      return result;
    }
    TRY_ASSIGN(VertexResult recorded, m_index.store_first(key, result));
    if (recorded == result) return result;
    TRY_ASSIGN(bool valid, m_exec.still_valid(recorded));
    if (!valid) {
      TRY(m_index.store(key, result));
      return result;
    }
    m_exec.discard(result);
    return recorded;
  }

  base::Result<void> finish(uint32_t op, std::string key, VertexResult result) {
    std::lock_guard lock(m_mutex);
    m_result.keys[op] = std::move(key);
    m_result.results[op] = std::move(result);
    return {};
  }

  std::string definition_json(uint32_t op) const;

  const ir::Definition& m_def;
  OpExecutor& m_exec;
  CacheIndex& m_index;
  ProgressSink& m_progress;
  const SolveOptions& m_opt;
  std::vector<ir::OpDigests> m_digests;
  std::vector<std::atomic<int>> m_pending;
  std::vector<bool> m_needed;
  std::vector<std::vector<uint32_t>> m_dependents;
  std::vector<int> m_number;
  std::vector<int> m_ordinal;  // place among the displayed steps of its stage
  std::mutex m_mutex;
  SolveResult m_result;
  std::vector<std::pair<std::string, StepRecord>> m_changed_records;  // under m_mutex
  std::optional<base::Error> m_error;
  std::atomic<bool> m_canceled{false};
  tbb::task_group m_group;
};

void OpStep::log(int stream, std::string_view data) {
  if (m_number <= 0) return;
  ProgressEvent ev;
  ev.kind = EventKind::step_log;
  ev.step = m_number;
  ev.name = m_name;
  ev.stream = stream;
  ev.data = std::string(data);
  m_solve.emit(std::move(ev));
}

bool OpStep::canceled() const { return m_solve.canceled(); }

base::Result<std::optional<PreviousRun>> OpStep::previous_run() {
  return m_solve.previous_run(m_step_id, m_record);
}

std::string Solve::definition_json(uint32_t op) const { return op_definition_json(m_def, op); }

}  // namespace

base::Result<SolveResult> solve(const ir::Definition& def, OpExecutor& executor, CacheIndex& index,
                                ProgressSink& progress, const SolveOptions& options,
                                SolveResult* partial) {
  TRY(ir::validate(def));
  Solve run(def, executor, index, progress, options);
  return run.run(partial);
}

}  // namespace solver
