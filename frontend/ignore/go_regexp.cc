#include "frontend/ignore/go_regexp.h"

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <utility>

#include "frontend/ignore/go_path.h"

namespace frontend::ignore {
namespace {

using Ranges = GoRegexp::Ranges;

struct Node {
  enum class Kind { empty, cls, concat, alternate, star, plus, quest, begin_text, end_text };
  Kind kind = Kind::empty;
  int cls = -1;
  std::vector<Node> kids;
};

Ranges normalize(Ranges r) {
  std::sort(r.begin(), r.end());
  Ranges out;
  for (const auto& [lo, hi] : r) {
    if (!out.empty() && lo <= out.back().second + 1) {
      out.back().second = std::max(out.back().second, hi);
    } else {
      out.emplace_back(lo, hi);
    }
  }
  return out;
}

Ranges negate(const Ranges& r) {
  Ranges out;
  char32_t next = 0;
  for (const auto& [lo, hi] : r) {
    if (lo > next) out.emplace_back(next, lo - 1);
    next = hi + 1;
  }
  if (next <= k_max_rune) out.emplace_back(next, k_max_rune);
  return out;
}

bool is_alnum(char32_t c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

int hex_value(char32_t c) {
  if (c >= '0' && c <= '9') return static_cast<int>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<int>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<int>(c - 'A' + 10);
  return -1;
}

// The Perl classes \d \s \w (RE2 definitions: ASCII only).
bool perl_class(char32_t name, Ranges& out) {
  Ranges r;
  switch (name) {
    case 'd': case 'D': r = {{'0', '9'}}; break;
    case 's': case 'S': r = {{'\t', '\n'}, {'\f', '\r'}, {' ', ' '}}; break;
    case 'w': case 'W': r = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}}; break;
    default: return false;
  }
  if (name == 'D' || name == 'S' || name == 'W') r = negate(normalize(r));
  out.insert(out.end(), r.begin(), r.end());
  return true;
}

bool posix_class(std::string_view name, Ranges& out) {
  static const std::pair<std::string_view, Ranges> k_classes[] = {
      {"alnum", {{'0', '9'}, {'A', 'Z'}, {'a', 'z'}}},
      {"alpha", {{'A', 'Z'}, {'a', 'z'}}},
      {"ascii", {{0, 0x7F}}},
      {"blank", {{'\t', '\t'}, {' ', ' '}}},
      {"cntrl", {{0, 0x1F}, {0x7F, 0x7F}}},
      {"digit", {{'0', '9'}}},
      {"graph", {{'!', '~'}}},
      {"lower", {{'a', 'z'}}},
      {"print", {{' ', '~'}}},
      {"punct", {{'!', '/'}, {':', '@'}, {'[', '`'}, {'{', '~'}}},
      {"space", {{'\t', '\r'}, {' ', ' '}}},
      {"upper", {{'A', 'Z'}}},
      {"word", {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}}},
      {"xdigit", {{'0', '9'}, {'A', 'F'}, {'a', 'f'}}},
  };
  bool negated = false;
  if (!name.empty() && name[0] == '^') {
    negated = true;
    name.remove_prefix(1);
  }
  for (const auto& [n, r] : k_classes) {
    if (n != name) continue;
    Ranges add = negated ? negate(normalize(r)) : r;
    out.insert(out.end(), add.begin(), add.end());
    return true;
  }
  return false;
}

// Recursive-descent parser for the supported subset; builds the syntax tree
// and collects rune classes.
class Parser {
 public:
  Parser(std::string_view expr, std::vector<Ranges>& classes) : m_s(expr), m_classes(classes) {}

  base::Result<Node> parse() {
    TRY_ASSIGN(Node root, parse_alternation(0));
    if (m_pos < m_s.size()) return error("unexpected )", m_s);
    return root;
  }

 private:
  static constexpr int k_max_depth = 1000;

  base::Error error(std::string what, std::string_view expr) const {
    return base::make_error(what + ": `" + std::string(expr) + "`");
  }

  bool at_end() const { return m_pos >= m_s.size(); }
  char peek() const { return m_s[m_pos]; }

  base::Result<char32_t> next_rune() {
    Rune r = decode_rune(m_s, m_pos);
    if (r.value == k_rune_error && r.width == 1) return error("invalid UTF-8", m_s.substr(m_pos));
    m_pos += r.width;
    return r.value;
  }

  Node class_node(Ranges r) {
    m_classes.push_back(normalize(std::move(r)));
    Node n;
    n.kind = Node::Kind::cls;
    n.cls = static_cast<int>(m_classes.size() - 1);
    return n;
  }

  Node literal(char32_t c) { return class_node({{c, c}}); }

  base::Result<Node> parse_alternation(int depth) {
    if (depth > k_max_depth) return error("expression nests too deeply", m_s);
    Node alt;
    alt.kind = Node::Kind::alternate;
    TRY_ASSIGN(Node first, parse_concat(depth));
    alt.kids.push_back(std::move(first));
    while (!at_end() && peek() == '|') {
      ++m_pos;
      TRY_ASSIGN(Node next, parse_concat(depth));
      alt.kids.push_back(std::move(next));
    }
    if (alt.kids.size() == 1) return std::move(alt.kids[0]);
    return alt;
  }

  base::Result<Node> parse_concat(int depth) {
    Node cat;
    cat.kind = Node::Kind::concat;
    size_t last_repeat_at = std::string_view::npos;  // where the previous token, a repetition, began
    while (!at_end() && peek() != '|' && peek() != ')') {
      const size_t token_at = m_pos;
      const char c = peek();
      if (c == '*' || c == '+' || c == '?') {
        ++m_pos;
        if (!at_end() && peek() == '?') ++m_pos;  // non-greedy: same set of matches
        if (last_repeat_at != std::string_view::npos) {
          return error("invalid nested repetition operator",
                       m_s.substr(last_repeat_at, m_pos - last_repeat_at));
        }
        if (cat.kids.empty()) {
          return error("missing argument to repetition operator", m_s.substr(token_at, m_pos - token_at));
        }
        Node rep;
        rep.kind = c == '*' ? Node::Kind::star : c == '+' ? Node::Kind::plus : Node::Kind::quest;
        rep.kids.push_back(std::move(cat.kids.back()));
        cat.kids.back() = std::move(rep);
        last_repeat_at = token_at;
        continue;
      }
      last_repeat_at = std::string_view::npos;
      if (c == '(') {
        ++m_pos;
        if (!at_end() && peek() == '?') return error("unsupported group syntax", m_s.substr(token_at));
        TRY_ASSIGN(Node sub, parse_alternation(depth + 1));
        if (at_end() || peek() != ')') return error("missing closing )", m_s);
        ++m_pos;
        cat.kids.push_back(std::move(sub));
      } else if (c == '[') {
        TRY_ASSIGN(Node cls, parse_class());
        cat.kids.push_back(std::move(cls));
      } else if (c == '.') {
        ++m_pos;
        cat.kids.push_back(class_node({{0, '\n' - 1}, {'\n' + 1, k_max_rune}}));
      } else if (c == '^' || c == '$') {
        ++m_pos;
        Node n;
        n.kind = c == '^' ? Node::Kind::begin_text : Node::Kind::end_text;
        cat.kids.push_back(std::move(n));
      } else if (c == '\\') {
        TRY(parse_escape_atom(cat));
      } else {
        TRY_ASSIGN(char32_t r, next_rune());
        cat.kids.push_back(literal(r));
      }
    }
    if (cat.kids.size() == 1) return std::move(cat.kids[0]);
    return cat;
  }

  // A backslash sequence outside a class; appends its node(s) to `cat`.
  base::Result<void> parse_escape_atom(Node& cat) {
    const size_t start = m_pos;
    if (m_pos + 1 < m_s.size()) {
      const char e = m_s[m_pos + 1];
      switch (e) {
        case 'A':
        case 'z': {
          m_pos += 2;
          Node n;
          n.kind = e == 'A' ? Node::Kind::begin_text : Node::Kind::end_text;
          cat.kids.push_back(std::move(n));
          return {};
        }
        case 'b':
        case 'B':
          return error("unsupported word boundary assertion", m_s.substr(start, 2));
        case 'C':
          return error("invalid escape sequence", m_s.substr(start, 2));
        case 'p':
        case 'P':
          return error("unsupported Unicode class", m_s.substr(start, 2));
        case 'Q': {
          // Everything up to \E (or the end) is literal text.
          m_pos += 2;
          size_t stop = m_s.find("\\E", m_pos);
          const size_t lit_end = stop == std::string_view::npos ? m_s.size() : stop;
          while (m_pos < lit_end) {
            TRY_ASSIGN(char32_t r, next_rune());
            cat.kids.push_back(literal(r));
          }
          m_pos = stop == std::string_view::npos ? m_s.size() : stop + 2;
          return {};
        }
        default: {
          Ranges r;
          if (perl_class(static_cast<unsigned char>(e), r)) {
            m_pos += 2;
            cat.kids.push_back(class_node(std::move(r)));
            return {};
          }
        }
      }
    }
    TRY_ASSIGN(char32_t c, parse_escape());
    cat.kids.push_back(literal(c));
    return {};
  }

  // A single-rune escape (Go's parseEscape), with m_pos at the backslash.
  base::Result<char32_t> parse_escape() {
    const size_t start = m_pos;
    ++m_pos;
    if (at_end()) return base::make_error("trailing backslash at end of expression");
    TRY_ASSIGN(char32_t c, next_rune());
    auto invalid = [&] { return error("invalid escape sequence", m_s.substr(start, m_pos - start)); };
    if (c < 0x80 && !is_alnum(c)) return c;  // escaped punctuation is itself
    auto is_octal = [&] { return !at_end() && peek() >= '0' && peek() <= '7'; };
    switch (c) {
      case '1': case '2': case '3': case '4': case '5': case '6': case '7':
        if (!is_octal()) return invalid();  // a backreference, which RE2 lacks
        [[fallthrough]];
      case '0': {
        char32_t r = c - '0';
        for (int i = 1; i < 3 && is_octal(); ++i) r = r * 8 + static_cast<char32_t>(m_s[m_pos++] - '0');
        return r;
      }
      case 'x': {
        if (at_end()) return invalid();
        TRY_ASSIGN(char32_t h, next_rune());
        if (h == '{') {
          char32_t r = 0;
          int digits = 0;
          while (true) {
            if (at_end()) return invalid();
            TRY_ASSIGN(char32_t d, next_rune());
            if (d == '}') break;
            const int v = hex_value(d);
            if (v < 0) return invalid();
            r = r * 16 + static_cast<char32_t>(v);
            if (r > k_max_rune) return invalid();
            ++digits;
          }
          if (digits == 0) return invalid();
          return r;
        }
        if (at_end()) return invalid();
        TRY_ASSIGN(char32_t l, next_rune());
        const int hv = hex_value(h);
        const int lv = hex_value(l);
        if (hv < 0 || lv < 0) return invalid();
        return static_cast<char32_t>(hv * 16 + lv);
      }
      case 'a': return U'\a';
      case 'f': return U'\f';
      case 'n': return U'\n';
      case 'r': return U'\r';
      case 't': return U'\t';
      case 'v': return U'\v';
      default: return invalid();
    }
  }

  base::Result<Node> parse_class() {
    const size_t start = m_pos;
    ++m_pos;  // '['
    bool negated = false;
    if (!at_end() && peek() == '^') {
      negated = true;
      ++m_pos;
    }
    Ranges ranges;
    bool first = true;  // ']' is literal as the first member
    while (at_end() || peek() != ']' || first) {
      if (at_end()) return error("missing closing ]", m_s.substr(start));
      first = false;
      std::string_view rest = m_s.substr(m_pos);
      if (rest.size() > 2 && rest[0] == '[' && rest[1] == ':') {
        const size_t close = rest.find(":]", 2);
        if (close != std::string_view::npos) {
          std::string_view name = rest.substr(2, close - 2);
          if (!posix_class(name, ranges)) {
            return error("invalid character class range", rest.substr(0, close + 2));
          }
          m_pos += close + 2;
          continue;
        }
      }
      if (rest.size() >= 2 && rest[0] == '\\') {
        if (rest[1] == 'p' || rest[1] == 'P') return error("unsupported Unicode class", rest.substr(0, 2));
        if (perl_class(static_cast<unsigned char>(rest[1]), ranges)) {
          m_pos += 2;
          continue;
        }
      }
      const size_t range_at = m_pos;
      TRY_ASSIGN(char32_t lo, class_char());
      char32_t hi = lo;
      // "a-]" means 'a' or '-'.
      if (m_pos + 1 < m_s.size() && m_s[m_pos] == '-' && m_s[m_pos + 1] != ']') {
        ++m_pos;
        TRY_ASSIGN(hi, class_char());
        if (hi < lo) return error("invalid character class range", m_s.substr(range_at, m_pos - range_at));
      }
      ranges.emplace_back(lo, hi);
    }
    ++m_pos;  // ']'
    Ranges r = normalize(std::move(ranges));
    if (negated) r = negate(r);
    return class_node(std::move(r));
  }

  base::Result<char32_t> class_char() {
    if (at_end()) return error("missing closing ]", m_s);
    if (peek() == '\\') return parse_escape();
    return next_rune();
  }

  std::string_view m_s;
  size_t m_pos = 0;
  std::vector<Ranges>& m_classes;
};

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

constexpr size_t k_max_dfa_states = 256;

std::optional<char32_t> single_rune(const Node& n, const std::vector<Ranges>& classes) {
  if (n.kind != Node::Kind::cls) return std::nullopt;
  const Ranges& r = classes[static_cast<size_t>(n.cls)];
  if (r.size() != 1 || r[0].first != r[0].second) return std::nullopt;
  return r[0].first;
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
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
  Parser parser(expr, re.m_classes);
  TRY_ASSIGN(Node root, parser.parse());
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
  re.m_accepts.resize(re.m_prog.size());
  for (size_t i = 0; i < re.m_prog.size(); ++i) {
    const Inst& inst = re.m_prog[i];
    if (inst.op != Op::rune_class) continue;
    const Ranges& r = re.m_classes[static_cast<size_t>(inst.cls)];
    auto& acc = re.m_accepts[i];
    acc.resize(re.m_eq_count);
    for (size_t e = 0; e < re.m_eq_count; ++e) acc[e] = in_ranges(r, re.m_cuts[e]);
  }
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
      case Op::jump:
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
      case Op::jump:
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
    if (inst.op == Op::rune_class && m_accepts[static_cast<size_t>(id)][static_cast<size_t>(eq)]) {
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
    if (sets.size() > k_max_dfa_states) {
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
