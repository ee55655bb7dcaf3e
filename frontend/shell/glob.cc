#include "frontend/shell/glob.h"

#include <algorithm>

#include "frontend/shell/utf8.h"

namespace frontend::shell {

base::Error work_limit_error(const WorkBudget& budget) {
  return base::make_error("expansion needs more than " + std::to_string(budget.limit()) +
                          " steps; the values or patterns involved are too large");
}

std::string size_text(size_t bytes) {
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= (1u << 10) && bytes % (1u << 10) == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

namespace {

constexpr int32_t k_end_of_text = -1;

// The code points of `text` as the reference's scanner yields them: invalid
// bytes become U+FFFD and a byte order mark at the very start is skipped.
std::vector<char32_t> scan_code_points(std::string_view text) {
  std::vector<char32_t> out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    const base::Rune d = decode_rune(text, pos);
    if (!(pos == 0 && d.value == k_byte_order_mark)) out.push_back(d.value);
    pos += d.width;
  }
  return out;
}

std::string encode(const std::vector<char32_t>& cps) {
  std::string out;
  out.reserve(cps.size());
  for (char32_t cp : cps) append_utf8(out, cp);
  return out;
}

std::vector<char32_t> code_points(std::string_view s) {
  std::vector<char32_t> out;
  out.reserve(s.size());
  for (size_t pos = 0; pos < s.size();) {
    const base::Rune d = decode_rune(s, pos);
    out.push_back(d.value);
    pos += d.width;
  }
  return out;
}

// Reverses a pattern but keeps each `\x` pair in order, so `a\*c` becomes
// `c\*a`: a suffix search becomes a prefix search over reversed text.
std::string reverse_pattern(std::string_view pattern) {
  const std::vector<char32_t> in = code_points(pattern);
  std::vector<char32_t> out(in.size());
  const size_t n = in.size();
  for (size_t i = 0; i < n;) {
    const size_t at = n - 1 - i;
    if (in[i] == '\\' && i + 1 < n) {
      out[at - 1] = '\\';
      out[at] = in[i + 1];
      i += 2;
    } else {
      out[at] = in[i];
      ++i;
    }
  }
  return encode(out);
}

std::string reverse_string(std::string_view s) {
  std::vector<char32_t> cps = code_points(s);
  std::reverse(cps.begin(), cps.end());
  return encode(cps);
}

base::Error invalid_pattern(std::string_view pattern, const base::Error& cause) {
  return base::make_error("invalid pattern (" + std::string(pattern) + ") in substitution: " +
                          cause.message);
}

// A work queue of the automaton: the threads alive at one position, in
// priority order, each instruction at most once.
class ThreadQueue {
 public:
  struct Thread {
    uint32_t pc;
    size_t start;
  };
  explicit ThreadQueue(size_t prog_size) : m_mark(prog_size, 0) {}
  void clear() {
    m_threads.clear();
    ++m_generation;
  }
  // True the first time `pc` is seen since clear().
  bool visit(uint32_t pc) {
    if (m_mark[pc] == m_generation) return false;
    m_mark[pc] = m_generation;
    return true;
  }
  void push(Thread t) { m_threads.push_back(t); }
  const std::vector<Thread>& threads() const { return m_threads; }
  bool empty() const { return m_threads.empty(); }

 private:
  std::vector<uint64_t> m_mark;
  uint64_t m_generation = 1;
  std::vector<Thread> m_threads;
};

}  // namespace

base::Result<Pattern> Pattern::compile(std::string_view text, Star star) {
  const std::vector<char32_t> cps = scan_code_points(text);
  Pattern p;
  auto& prog = p.m_prog;
  auto next_pc = [&prog] { return static_cast<uint32_t>(prog.size() + 1); };
  bool after_star = false;
  for (size_t i = 0; i < cps.size(); ++i) {
    char32_t c = cps[i];
    if (c == '*') {
      // A run of stars matches exactly what one star matches, with the same
      // preference; one loop keeps long runs cheap.
      if (after_star) continue;
      after_star = true;
      const auto split = static_cast<uint32_t>(prog.size());
      const uint32_t body = split + 1;
      const uint32_t after = split + 2;
      if (star == Star::longest) {
        prog.push_back({Op::split, 0, body, after});
      } else {
        prog.push_back({Op::split, 0, after, body});
      }
      prog.push_back({Op::any, 0, split, 0});
      continue;
    }
    after_star = false;
    if (c == '?') {
      prog.push_back({Op::any, 0, next_pc(), 0});
      continue;
    }
    if (c == '\\') {
      const bool has_next = i + 1 < cps.size();
      // `\}` and `\/` only keep the modifier's delimiters out of the way.
      if (has_next && (cps[i + 1] == '}' || cps[i + 1] == '/')) continue;
      c = has_next ? cps[++i] : k_replacement_char;
      if (!has_next || (c != '*' && c != '?' && c != '\\')) {
        std::string shown = "\\";
        append_utf8(shown, c);
        return base::make_error("invalid escape '" + shown + "'");
      }
    }
    prog.push_back({Op::rune, c, next_pc(), 0});
  }
  prog.push_back({Op::match, 0, 0, 0});
  return p;
}

base::Result<std::optional<std::pair<size_t, size_t>>> Pattern::find(std::string_view s,
                                                                     size_t from, bool anchored,
                                                                     WorkBudget& budget) const {
  const size_t prog_size = m_prog.size();
  if (!budget.charge(prog_size)) return work_limit_error(budget);
  ThreadQueue run(prog_size);
  ThreadQueue next(prog_size);
  std::vector<uint32_t> stack;
  uint64_t steps = 0;

  // Follows splits depth-first, preferred branch first, so `q` lists threads
  // in the order a backtracking matcher would try them.
  auto add = [&](ThreadQueue& q, uint32_t pc, size_t start) {
    stack.push_back(pc);
    while (!stack.empty()) {
      const uint32_t at = stack.back();
      stack.pop_back();
      ++steps;
      if (!q.visit(at)) continue;
      const Inst& inst = m_prog[at];
      if (inst.op == Op::split) {
        stack.push_back(inst.other);
        stack.push_back(inst.out);
      } else {
        q.push({at, start});
      }
    }
  };

  std::optional<std::pair<size_t, size_t>> found;
  size_t pos = from;
  for (;;) {
    if (run.empty()) {
      if (anchored && pos != 0) break;
      if (found) break;
    }
    if (!found && (pos == 0 || !anchored)) add(run, 0, pos);
    const base::Rune d = decode_rune(s, pos);
    const int32_t c = d.width == 0 ? k_end_of_text : static_cast<int32_t>(d.value);
    next.clear();
    for (const auto& t : run.threads()) {
      const Inst& inst = m_prog[t.pc];
      bool advance = false;
      switch (inst.op) {
        case Op::match:
          found = std::make_pair(t.start, pos);
          break;
        case Op::rune:
          advance = c == static_cast<int32_t>(inst.rune);
          break;
        case Op::any:
          advance = c != k_end_of_text && c != '\n';
          break;
        case Op::split:
          break;
      }
      // A match cuts off every thread of lower priority.
      if (inst.op == Op::match) break;
      if (advance) add(next, inst.out, t.start);
    }
    steps += run.threads().size();
    if (!budget.charge(steps)) return work_limit_error(budget);
    steps = 0;
    if (d.width == 0) break;
    pos += d.width;
    std::swap(run, next);
  }
  return found;
}

base::Result<std::string> trim_prefix(std::string_view pattern, std::string_view value,
                                      bool longest, WorkBudget& budget) {
  auto compiled =
      Pattern::compile(pattern, longest ? Pattern::Star::longest : Pattern::Star::shortest);
  if (!compiled.ok()) return invalid_pattern(pattern, compiled.error());
  TRY_ASSIGN(auto match, compiled->find(value, 0, /*anchored=*/true, budget));
  if (match) value.remove_prefix(match->second);
  return std::string(value);
}

base::Result<std::string> trim_suffix(std::string_view pattern, std::string_view value,
                                      bool longest, WorkBudget& budget) {
  // Trimming the shortest or longest suffix is trimming a prefix of the
  // reversed value with the reversed pattern.
  if (!budget.charge(2 * (pattern.size() + value.size()))) return work_limit_error(budget);
  TRY_ASSIGN(std::string trimmed,
             trim_prefix(reverse_pattern(pattern), reverse_string(value), longest, budget));
  return reverse_string(trimmed);
}

namespace {

// Appends `tmpl` with `$0`/`${0}` replaced by `matched`, `$$` by `$`, other
// well-formed `$name` references by nothing and malformed ones kept as `$`.
void expand_template(std::string& out, std::string_view tmpl, std::string_view matched) {
  while (!tmpl.empty()) {
    const size_t dollar = tmpl.find('$');
    if (dollar == std::string_view::npos) break;
    out.append(tmpl.substr(0, dollar));
    tmpl.remove_prefix(dollar + 1);
    if (!tmpl.empty() && tmpl.front() == '$') {
      out += '$';
      tmpl.remove_prefix(1);
      continue;
    }
    std::string_view rest = tmpl;
    const bool brace = !rest.empty() && rest.front() == '{';
    if (brace) rest.remove_prefix(1);
    size_t len = 0;
    while (len < rest.size()) {
      const base::Rune d = decode_rune(rest, len);
      if (!is_letter(d.value) && !is_digit(d.value) && d.value != '_') break;
      len += d.width;
    }
    if (len == 0 || (brace && (len >= rest.size() || rest[len] != '}'))) {
      out += '$';
      continue;
    }
    if (rest.substr(0, len) == "0") out.append(matched);
    tmpl = rest.substr(len + (brace ? 1 : 0));
  }
  out.append(tmpl);
}

}  // namespace

base::Result<std::string> replace(std::string_view value, std::string_view pattern,
                                  std::string_view replacement, bool all, size_t max_size,
                                  WorkBudget& budget) {
  auto compiled = Pattern::compile(pattern, Pattern::Star::longest);
  if (!compiled.ok()) return invalid_pattern(pattern, compiled.error());
  const Pattern& re = *compiled;
  auto too_large = [&] {
    return base::make_error("replacing (" + std::string(pattern) +
                            ") would make a value larger than " + size_text(max_size));
  };
  std::string out;
  if (!all) {
    TRY_ASSIGN(auto match, re.find(value, 0, /*anchored=*/false, budget));
    if (!match) return std::string(value);
    if (value.size() - (match->second - match->first) + replacement.size() > max_size)
      return too_large();
    out.append(value.substr(0, match->first));
    out.append(replacement);
    out.append(value.substr(match->second));
    return out;
  }
  // Every non-overlapping match, left to right; an empty match right after
  // the previous match is not replaced, and the search always moves on by at
  // least one character.
  size_t last_end = 0;
  size_t search = 0;
  while (search <= value.size()) {
    TRY_ASSIGN(auto match, re.find(value, search, /*anchored=*/false, budget));
    if (!match) break;
    const size_t before = out.size();
    out.append(value.substr(last_end, match->first - last_end));
    if (match->second > last_end || match->first == 0) {
      expand_template(out, replacement,
                      value.substr(match->first, match->second - match->first));
    }
    if (out.size() > max_size) return too_large();
    if (!budget.charge(out.size() - before)) {
      return work_limit_error(budget);
    }
    last_end = match->second;
    const size_t width = decode_rune(value, search).width;
    if (search + width > match->second) {
      search += width;
    } else if (search + 1 > match->second) {
      ++search;
    } else {
      search = match->second;
    }
  }
  out.append(value.substr(last_end));
  if (out.size() > max_size) return too_large();
  return out;
}

}  // namespace frontend::shell
