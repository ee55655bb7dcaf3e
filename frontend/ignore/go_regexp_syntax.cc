#include "frontend/ignore/go_regexp_syntax.h"

#include <algorithm>
#include <string>

#include "frontend/ignore/go_path.h"

namespace frontend::ignore::regexp_syntax {
namespace {

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

}  // namespace

base::Result<Node> parse(std::string_view expr, std::vector<Ranges>& classes) {
  return Parser(expr, classes).parse();
}

}  // namespace frontend::ignore::regexp_syntax
