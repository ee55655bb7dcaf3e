#include "frontend/ignore/go_regexp.h"

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <utility>

#include "frontend/ignore/go_path.h"
#include "frontend/ignore/go_regexp_syntax.h"

namespace frontend::ignore {
namespace {

using regexp_syntax::Node;
using Ranges = GoRegexp::Ranges;

using Inst = GoRegexp::Inst;
using Op = Inst::Op;

int add_inst(std::vector<Inst>& prog, Inst inst) {
  prog.push_back(inst);
  return static_cast<int>(prog.size() - 1);
}

// Compiles `node` so that it continues at instruction `next`; returns its entry.
int compile_node(const Node& node, int next, std::vector<Inst>& prog) {
  switch (node.kind) {
    case Node::Kind::empty:
      return next;
    case Node::Kind::cls:
      return add_inst(prog, {Op::rune_class, next, -1, node.cls});
    case Node::Kind::begin_text:
      return add_inst(prog, {Op::begin_text, next, -1, -1});
    case Node::Kind::end_text:
      return add_inst(prog, {Op::end_text, next, -1, -1});
    case Node::Kind::concat:
      for (auto it = node.kids.rbegin(); it != node.kids.rend(); ++it) next = compile_node(*it, next, prog);
      return next;
    case Node::Kind::alternate: {
      int entry = compile_node(node.kids.back(), next, prog);
      for (size_t i = node.kids.size() - 1; i-- > 0;) {
        const int branch = compile_node(node.kids[i], next, prog);
        entry = add_inst(prog, {Op::split, branch, entry, -1});
      }
      return entry;
    }
    case Node::Kind::star:
    case Node::Kind::plus: {
      const int loop = add_inst(prog, {Op::split, -1, next, -1});
      const int body = compile_node(node.kids[0], loop, prog);
      prog[static_cast<size_t>(loop)].out = body;
      return node.kind == Node::Kind::star ? loop : body;
    }
    case Node::Kind::quest: {
      const int body = compile_node(node.kids[0], next, prog);
      return add_inst(prog, {Op::split, body, next, -1});
    }
  }
  return next;
}

bool in_ranges(const Ranges& r, char32_t c) {
  auto it = std::upper_bound(r.begin(), r.end(), c,
                             [](char32_t v, const std::pair<char32_t, char32_t>& p) { return v < p.first; });
  if (it == r.begin()) return false;
  --it;
  return c <= it->second;
}

// Past either bound a pattern is matched by NFA simulation instead: the
// states bound catches "*a" followed by many '?', the entries bound very long
// patterns with many distinct characters.
constexpr size_t k_max_dfa_states = 256;
constexpr size_t k_max_dfa_entries = size_t{1} << 18;

std::optional<char32_t> single_rune(const Node& n, const std::vector<Ranges>& classes) {
  if (n.kind != Node::Kind::cls) return std::nullopt;
  const Ranges& r = classes[static_cast<size_t>(n.cls)];
  if (r.size() != 1 || r[0].first != r[0].second) return std::nullopt;
  return r[0].first;
}

// The literal run right after a leading '^' of a top-level concatenation.
// U+FFFD is left out: it also stands for invalid bytes in the text.
std::string literal_prefix(const Node& root, const std::vector<Ranges>& classes) {
  std::string prefix;
  if (root.kind != Node::Kind::concat) return prefix;
  const auto& kids = root.kids;
  if (kids.empty() || kids.front().kind != Node::Kind::begin_text) return prefix;
  for (size_t i = 1; i < kids.size(); ++i) {
    auto r = single_rune(kids[i], classes);
    if (!r || *r == k_rune_error) break;
    append_utf8(prefix, *r);
  }
  return prefix;
}

// The run of single-rune classes right before a final '$' of a top-level
// concatenation, as long as each holds ASCII runes only (so one byte each).
std::vector<Ranges> ascii_tail(const Node& root, const std::vector<Ranges>& classes) {
  std::vector<Ranges> tail;
  if (root.kind != Node::Kind::concat) return tail;
  const auto& kids = root.kids;
  if (kids.empty() || kids.back().kind != Node::Kind::end_text) return tail;
  for (size_t i = kids.size() - 1; i-- > 0;) {
    if (kids[i].kind != Node::Kind::cls) break;
    const Ranges& r = classes[static_cast<size_t>(kids[i].cls)];
    if (r.empty() || r.back().second >= 0x80) break;
    tail.push_back(r);
  }
  std::reverse(tail.begin(), tail.end());
  return tail;
}

}  // namespace

base::Result<GoRegexp> GoRegexp::compile(std::string_view expr, Engine engine) {
  GoRegexp re;
  TRY_ASSIGN(Node root, regexp_syntax::parse(expr, re.m_classes));
  re.m_literal_prefix = literal_prefix(root, re.m_classes);
  for (const Ranges& r : ascii_tail(root, re.m_classes)) {
    AsciiSet set;
    for (const auto& [lo, hi] : r) {
      for (char32_t c = lo; c <= hi; ++c) set.bits[c >> 6] |= uint64_t{1} << (c & 63);
    }
    re.m_tail.push_back(set);
  }
  const int match = add_inst(re.m_prog, {Op::match, -1, -1, -1});
  re.m_start = compile_node(root, match, re.m_prog);

  // Equivalence classes: cut the rune space wherever some class starts or ends.
  std::vector<char32_t> cuts{0};
  for (const Ranges& r : re.m_classes) {
    for (const auto& [lo, hi] : r) {
      cuts.push_back(lo);
      if (hi < k_max_rune) cuts.push_back(hi + 1);
    }
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  re.m_cuts = std::move(cuts);
  re.m_eq_count = re.m_cuts.size();
  for (char32_t c = 0; c < 128; ++c) re.m_ascii_eq[c] = static_cast<uint16_t>(re.equivalence_class(c));
  if (engine == Engine::dfa) re.build_dfa();
  return re;
}

int GoRegexp::equivalence_class(char32_t r) const {
  auto it = std::upper_bound(m_cuts.begin(), m_cuts.end(), r);
  return static_cast<int>(it - m_cuts.begin()) - 1;
}

void GoRegexp::begin_visit(Scratch& s) const {
  if (s.mark.size() != m_prog.size() || s.generation == UINT32_MAX) {
    s.mark.assign(m_prog.size(), 0);
    s.generation = 0;
  }
  ++s.generation;
}

GoRegexp::StateSet GoRegexp::closure(Scratch& s, bool at_begin) const {
  begin_visit(s);
  s.stack.assign(s.seeds.rbegin(), s.seeds.rend());
  StateSet out;
  while (!s.stack.empty()) {
    const int id = s.stack.back();
    s.stack.pop_back();
    if (id < 0 || s.mark[static_cast<size_t>(id)] == s.generation) continue;
    s.mark[static_cast<size_t>(id)] = s.generation;
    const Inst& inst = m_prog[static_cast<size_t>(id)];
    switch (inst.op) {
      case Op::rune_class:
      case Op::match:
      case Op::end_text:  // resolved only where the text ends
        out.push_back(id);
        break;
      case Op::split:
        s.stack.push_back(inst.out1);
        s.stack.push_back(inst.out);
        break;
      case Op::begin_text:
        if (at_begin) s.stack.push_back(inst.out);
        break;
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool GoRegexp::accepts_at_end(Scratch& s, const StateSet& set, bool at_begin) const {
  begin_visit(s);
  s.stack.assign(set.begin(), set.end());
  s.stack.push_back(m_start);  // Go searches: a match may also start here
  while (!s.stack.empty()) {
    const int id = s.stack.back();
    s.stack.pop_back();
    if (id < 0 || s.mark[static_cast<size_t>(id)] == s.generation) continue;
    s.mark[static_cast<size_t>(id)] = s.generation;
    const Inst& inst = m_prog[static_cast<size_t>(id)];
    switch (inst.op) {
      case Op::match:
        return true;
      case Op::rune_class:
        break;
      case Op::split:
        s.stack.push_back(inst.out1);
        s.stack.push_back(inst.out);
        break;
      case Op::end_text:
        s.stack.push_back(inst.out);
        break;
      case Op::begin_text:
        if (at_begin) s.stack.push_back(inst.out);
        break;
    }
  }
  return false;
}

GoRegexp::StateSet GoRegexp::step(Scratch& s, const StateSet& set, int eq) const {
  s.seeds.clear();
  for (int id : set) {
    const Inst& inst = m_prog[static_cast<size_t>(id)];
    // Every rune of an equivalence class is in the same instruction classes,
    // so testing its first rune decides for all of them.
    if (inst.op == Op::rune_class &&
        in_ranges(m_classes[static_cast<size_t>(inst.cls)], m_cuts[static_cast<size_t>(eq)])) {
      s.seeds.push_back(inst.out);
    }
  }
  s.seeds.push_back(m_start);  // unanchored search restarts at every position
  return closure(s, false);
}

void GoRegexp::build_dfa() {
  auto has_match = [&](const StateSet& s) {
    return std::any_of(s.begin(), s.end(),
                       [&](int id) { return m_prog[static_cast<size_t>(id)].op == Op::match; });
  };
  std::map<std::pair<bool, StateSet>, int32_t> ids;
  std::vector<StateSet> sets;
  std::deque<int32_t> todo;
  Scratch scratch;
  auto intern = [&](StateSet s, bool initial) -> int32_t {
    auto key = std::make_pair(initial, s);
    auto it = ids.find(key);
    if (it != ids.end()) return it->second;
    const auto id = static_cast<int32_t>(sets.size());
    uint8_t flags = 0;
    if (has_match(s)) flags |= k_has_match | k_accepts_at_end;
    if (accepts_at_end(scratch, s, initial)) flags |= k_accepts_at_end;
    if (!initial && s.empty()) flags |= k_dead;
    m_dfa_flags.push_back(flags);
    ids.emplace(std::move(key), id);
    sets.push_back(std::move(s));
    todo.push_back(id);
    return id;
  };
  scratch.seeds = {m_start};
  intern(closure(scratch, true), true);
  while (!todo.empty()) {
    if (sets.size() > k_max_dfa_states || sets.size() * m_eq_count > k_max_dfa_entries) {
      // Too many states (e.g. "*a" followed by many '?'): simulate instead.
      m_dfa_next.clear();
      m_dfa_flags.clear();
      return;
    }
    const int32_t id = todo.front();
    todo.pop_front();
    m_dfa_next.resize(sets.size() * m_eq_count, -1);
    for (size_t eq = 0; eq < m_eq_count; ++eq) {
      const int32_t next = intern(step(scratch, sets[static_cast<size_t>(id)], static_cast<int>(eq)), false);
      m_dfa_next.resize(sets.size() * m_eq_count, -1);
      m_dfa_next[static_cast<size_t>(id) * m_eq_count + eq] = next;
    }
  }
}

bool GoRegexp::tail_matches_before(std::string_view text, size_t end) const {
  if (end < m_tail.size()) return false;
  const size_t start = end - m_tail.size();
  for (size_t i = 0; i < m_tail.size(); ++i) {
    if (!m_tail[i].has(static_cast<unsigned char>(text[start + i]))) return false;
  }
  return true;
}

bool GoRegexp::passes_literal_filters(std::string_view text, Prefixes prefixes) const {
  const size_t np = m_literal_prefix.size();
  if (np != 0) {
    if (text.size() < np || text[0] != m_literal_prefix[0]) return false;
    if (text.compare(0, np, m_literal_prefix) != 0) return false;
  }
  if (m_tail.empty() || tail_matches_before(text, text.size())) return true;
  if (prefixes == Prefixes::no) return false;
  // Some parent text[0:i], with text[i] == '/', must end the same way.
  const size_t n = text.size();
  for (size_t i = m_tail.size(); i < n; ++i) {
    if (text[i] == '/' && tail_matches_before(text, i)) return true;
  }
  return false;
}

bool GoRegexp::matches(std::string_view text, Prefixes prefixes) const {
  if (!passes_literal_filters(text, prefixes)) return false;
  if (m_dfa_flags.empty()) return simulate(text, prefixes);
  const bool at_slashes = prefixes == Prefixes::at_slashes;
  size_t state = 0;
  if (m_dfa_flags[0] & k_has_match) return true;
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    const auto b = static_cast<unsigned char>(text[i]);
    size_t eq;
    if (b < 0x80) {
      if (b == '/' && at_slashes && (m_dfa_flags[state] & k_accepts_at_end)) return true;
      eq = m_ascii_eq[b];
      ++i;
    } else {
      Rune r = decode_rune(text, i);
      eq = static_cast<size_t>(equivalence_class(r.value));
      i += r.width;
    }
    state = static_cast<size_t>(m_dfa_next[state * m_eq_count + eq]);
    const uint8_t flags = m_dfa_flags[state];
    if (flags & (k_has_match | k_dead)) return (flags & k_has_match) != 0;
  }
  return (m_dfa_flags[state] & k_accepts_at_end) != 0;
}

bool GoRegexp::simulate(std::string_view text, Prefixes prefixes) const {
  auto has_match = [&](const StateSet& s) {
    return std::any_of(s.begin(), s.end(),
                       [&](int id) { return m_prog[static_cast<size_t>(id)].op == Op::match; });
  };
  Scratch scratch;
  scratch.seeds = {m_start};
  StateSet set = closure(scratch, true);
  bool initial = true;
  if (has_match(set)) return true;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '/' && prefixes == Prefixes::at_slashes && accepts_at_end(scratch, set, initial)) {
      return true;
    }
    Rune r = decode_rune(text, i);
    i += r.width;
    set = step(scratch, set, equivalence_class(r.value));
    initial = false;
    if (has_match(set)) return true;
    if (set.empty()) return false;
  }
  return accepts_at_end(scratch, set, initial);
}

}  // namespace frontend::ignore
