#include "frontend/ignore/pattern_matcher.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "frontend/ignore/go_path.h"

namespace frontend::ignore {
namespace {

PatternMatcher make(std::vector<std::string> patterns) {
  auto pm = PatternMatcher::create(std::move(patterns));
  EXPECT_TRUE(pm.ok()) << (pm.ok() ? "" : pm.error().message);
  return pm.ok() ? std::move(pm).value() : PatternMatcher{};
}

// The directories the reference checks for `path`: filepath.Dir split on '/',
// each prefix joined back ("" for "."), in order.
std::vector<std::string> reference_parents(const std::string& path) {
  std::string dir = path.find('/') == std::string::npos
                        ? "."
                        : clean_path(path.substr(0, path.rfind('/') == 0 ? 1 : path.rfind('/')));
  std::vector<std::string> out;
  if (dir == ".") return out;
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t slash = dir.find('/', start);
    parts.push_back(dir.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  std::string joined;
  for (size_t i = 0; i < parts.size(); ++i) {
    joined = i == 0 ? parts[0] : joined + "/" + parts[i];
    out.push_back(joined);
  }
  return out;
}

// What the reference walker passes down: each parent visited in order.
bool walk_verdict(const PatternMatcher& pm, const std::string& path) {
  PatternMatcher::ParentResults parent;
  for (const std::string& dir : reference_parents(path)) parent = pm.match_in_walk(dir, parent).for_children;
  return pm.match_in_walk(path, parent).excluded;
}

enum Pass { fail, exact, inexact };
struct MatchesCase {
  const char* pattern;
  const char* text;
  Pass pass;
};

// patternmatcher's TestMatches table, run in all of its modes.
const MatchesCase k_matches_cases[] = {
    {"**", "file", exact}, {"**", "file/", exact}, {"**/", "file", exact}, {"**/", "file/", exact},
    {"**", "/", exact}, {"**/", "/", exact}, {"**", "dir/file", exact}, {"**/", "dir/file", exact},
    {"**", "dir/file/", exact}, {"**/", "dir/file/", exact}, {"**/**", "dir/file", exact},
    {"**/**", "dir/file/", exact}, {"dir/**", "dir/file", exact}, {"dir/**", "dir/file/", exact},
    {"dir/**", "dir/dir2/file", exact}, {"dir/**", "dir/dir2/file/", exact}, {"**/dir", "dir", exact},
    {"**/dir", "dir/file", inexact}, {"**/dir2/*", "dir/dir2/file", exact},
    {"**/dir2/*", "dir/dir2/file/", inexact}, {"**/dir2/**", "dir/dir2/dir3/file", exact},
    {"**/dir2/**", "dir/dir2/dir3/file/", exact}, {"**file", "file", exact},
    {"**file", "dir/file", exact}, {"**/file", "dir/file", exact}, {"**file", "dir/dir/file", exact},
    {"**/file", "dir/dir/file", exact}, {"**/file*", "dir/dir/file", exact},
    {"**/file*", "dir/dir/file.txt", exact}, {"**/file*txt", "dir/dir/file.txt", exact},
    {"**/file*.txt", "dir/dir/file.txt", exact}, {"**/file*.txt*", "dir/dir/file.txt", exact},
    {"**/**/*.txt", "dir/dir/file.txt", exact}, {"**/**/*.txt2", "dir/dir/file.txt", fail},
    {"**/*.txt", "file.txt", exact}, {"**/**/*.txt", "file.txt", exact},
    {"a**/*.txt", "a/file.txt", exact}, {"a**/*.txt", "a/dir/file.txt", exact},
    {"a**/*.txt", "a/dir/dir/file.txt", exact}, {"a/*.txt", "a/dir/file.txt", fail},
    {"a/*.txt", "a/file.txt", exact}, {"a/*.txt**", "a/file.txt", exact}, {"a[b-d]e", "ae", fail},
    {"a[b-d]e", "ace", exact}, {"a[b-d]e", "aae", fail}, {"a[^b-d]e", "aze", exact},
    {".*", ".foo", exact}, {".*", "foo", fail}, {"abc.def", "abcdef", fail},
    {"abc.def", "abc.def", exact}, {"abc.def", "abcZdef", fail}, {"abc?def", "abcZdef", exact},
    {"abc?def", "abcdef", fail}, {"**/foo/bar", "foo/bar", exact}, {"**/foo/bar", "dir/foo/bar", exact},
    {"**/foo/bar", "dir/dir2/foo/bar", exact}, {"abc/**", "abc", fail}, {"abc/**", "abc/def", exact},
    {"abc/**", "abc/def/ghi", exact}, {"**/.foo", ".foo", exact}, {"**/.foo", "bar.foo", fail},
    {"a(b)c/def", "a(b)c/def", exact}, {"a(b)c/def", "a(b)c/xyz", fail},
    {"a.|)$(}+{bc", "a.|)$(}+{bc", exact},
    {"dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
     "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", exact},
    {"dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", exact},
    {"a\\\\", "a\\", exact}, {"a\\*b", "a*b", exact},
};

struct MultiCase {
  std::vector<std::string> patterns;
  const char* text;
  bool excluded;
};

const MultiCase k_multi_cases[] = {
    {{"**", "!util/docker/web"}, "util/docker/web/foo", false},
    {{"**", "!util/docker/web", "util/docker/web/foo"}, "util/docker/web/foo", true},
    {{"**", "!dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl"},
     "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", false},
    {{"**", "!dist/*.whl"}, "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", false},
};

TEST(PatternMatcherReference, MatchesExact) {
  for (const auto& c : k_matches_cases) {
    PatternMatcher pm = make({c.pattern});
    EXPECT_EQ(pm.matches_exact(c.text), c.pass == exact) << c.pattern << " vs " << c.text;
  }
}

TEST(PatternMatcherReference, MatchesOrParentMatches) {
  for (const auto& c : k_matches_cases) {
    PatternMatcher pm = make({c.pattern});
    EXPECT_EQ(pm.excluded(c.text), c.pass != fail) << c.pattern << " vs " << c.text;
  }
  for (const auto& c : k_multi_cases) {
    PatternMatcher pm = make(c.patterns);
    EXPECT_EQ(pm.excluded(c.text), c.excluded) << c.text;
  }
}

TEST(PatternMatcherReference, MatchesUsingParentResults) {
  for (const auto& c : k_matches_cases) {
    PatternMatcher pm = make({c.pattern});
    EXPECT_EQ(walk_verdict(pm, c.text), c.pass != fail) << c.pattern << " vs " << c.text;
  }
  for (const auto& c : k_multi_cases) {
    PatternMatcher pm = make(c.patterns);
    EXPECT_EQ(walk_verdict(pm, c.text), c.excluded) << c.text;
  }
}

TEST(PatternMatcherReference, MatchesUsingParentResultsWithoutContext) {
  for (const auto& c : k_matches_cases) {
    PatternMatcher pm = make({c.pattern});
    EXPECT_EQ(pm.match_in_walk(c.text, {}).excluded, c.pass != fail) << c.pattern << " vs " << c.text;
  }
  for (const auto& c : k_multi_cases) {
    PatternMatcher pm = make(c.patterns);
    EXPECT_EQ(pm.match_in_walk(c.text, {}).excluded, c.excluded) << c.text;
  }
}

struct SingleCase {
  const char* pattern;
  const char* path;
  bool excluded;
  bool bad;
};

// patternmatcher's copy of Go's Match table, through the matcher (parent rule
// included), plus the package-level edge cases.
TEST(PatternMatcherReference, GoMatchTableThroughMatcher) {
  const SingleCase cases[] = {
      {"abc", "abc", true, false}, {"*", "abc", true, false}, {"*c", "abc", true, false},
      {"a*", "a", true, false}, {"a*", "abc", true, false}, {"a*", "ab/c", true, false},
      {"a*/b", "abc/b", true, false}, {"a*/b", "a/c/b", false, false},
      {"a*b*c*d*e*/f", "axbxcxdxe/f", true, false}, {"a*b*c*d*e*/f", "axbxcxdxexxx/f", true, false},
      {"a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false, false},
      {"a*b*c*d*e*/f", "axbxcxdxexxx/fff", false, false},
      {"a*b?c*x", "abxbbxdbxebxczzx", true, false}, {"a*b?c*x", "abxbbxdbxebxczzy", false, false},
      {"ab[c]", "abc", true, false}, {"ab[b-d]", "abc", true, false}, {"ab[e-g]", "abc", false, false},
      {"ab[^c]", "abc", false, false}, {"ab[^b-d]", "abc", false, false},
      {"ab[^e-g]", "abc", true, false}, {"a\\*b", "a*b", true, false}, {"a\\*b", "ab", false, false},
      {"a?b", "a\u263Ab", true, false}, {"a[^a]b", "a\u263Ab", true, false},
      {"a???b", "a\u263Ab", false, false}, {"a[^a][^a][^a]b", "a\u263Ab", false, false},
      {"[a-\u03B6]*", "\u03B1", true, false}, {"*[a-\u03B6]", "A", false, false},
      {"a?b", "a/b", false, false}, {"a*b", "a/b", false, false}, {"[\\]a]", "]", true, false},
      {"[\\-]", "-", true, false}, {"[x\\-]", "x", true, false}, {"[x\\-]", "-", true, false},
      {"[x\\-]", "z", false, false}, {"[\\-x]", "x", true, false}, {"[\\-x]", "-", true, false},
      {"[\\-x]", "a", false, false}, {"[]a]", "]", false, true}, {"[-]", "-", false, true},
      {"[x-]", "x", false, true}, {"[x-]", "-", false, true}, {"[x-]", "z", false, true},
      {"[-x]", "x", false, true}, {"[-x]", "-", false, true}, {"[-x]", "a", false, true},
      {"\\", "a", false, true}, {"[a-b-c]", "a", false, true}, {"[", "a", false, true},
      {"[^", "a", false, true}, {"[^bc", "a", false, true}, {"a[", "a", false, true},
      {"a[", "ab", false, true}, {"*x", "xxx", true, false},
      // Package-level rules: "." is never excluded, no patterns exclude nothing.
      {"*.go", ".", false, false}, {"*", "", false, false},
      // Malformed for Go's regexp although filepath.Match accepts it.
      {"[Local-Only]/", "x", false, true}, {"[z-a]", "x", false, true},
  };
  for (const auto& c : cases) {
    auto pm = PatternMatcher::create({c.pattern});
    SCOPED_TRACE(std::string(c.pattern) + " vs " + c.path);
    if (c.bad) {
      EXPECT_FALSE(pm.ok());
      continue;
    }
    ASSERT_TRUE(pm.ok()) << pm.error().message;
    EXPECT_EQ(pm->excluded(c.path), c.excluded);
  }
  EXPECT_FALSE(make({}).excluded("any/path/there"));
}

TEST(PatternMatcherReference, Compile) {
  using Kind = PatternMatcher::Kind;
  struct CompileCase {
    const char* pattern;
    Kind kind;
    const char* regexp;
  };
  const CompileCase cases[] = {
      {"*", Kind::regexp, "^[^/]*$"},
      {"file*", Kind::regexp, "^file[^/]*$"},
      {"*file", Kind::regexp, "^[^/]*file$"},
      {"a*/b", Kind::regexp, "^a[^/]*/b$"},
      {"**", Kind::suffix, ""},
      {"**/**", Kind::regexp, "^(.*/)?.*$"},
      {"dir/**", Kind::prefix, ""},
      {"**/dir", Kind::suffix, ""},
      {"**/dir2/*", Kind::regexp, "^(.*/)?dir2/[^/]*$"},
      {"**/dir2/**", Kind::regexp, "^(.*/)?dir2/.*$"},
      {"**file", Kind::suffix, ""},
      {"**/file*txt", Kind::regexp, "^(.*/)?file[^/]*txt$"},
      {"**/**/*.txt", Kind::regexp, "^(.*/)?(.*/)?[^/]*\\.txt$"},
      {"a[b-d]e", Kind::regexp, "^a[b-d]e$"},
      {".*", Kind::regexp, "^\\.[^/]*$"},
      {"abc.def", Kind::exact, ""},
      {"abc?def", Kind::regexp, "^abc[^/]def$"},
      {"**/foo/bar", Kind::suffix, ""},
      {"a(b)c/def", Kind::exact, ""},
      {"a.|)$(}+{bc", Kind::exact, ""},
      {"dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", Kind::exact, ""},
      // Ours.
      {"a\\.b", Kind::regexp, "^a\\.b$"},
      {"a[!b]", Kind::regexp, "^a[!b]$"},
      {"*/**", Kind::regexp, "^[^/]*/.*$"},
      {"\xEF\xBB\xBF**", Kind::suffix, ""},
  };
  for (const auto& c : cases) {
    Translation t = translate_pattern(clean_path(c.pattern));
    EXPECT_EQ(static_cast<int>(t.kind), static_cast<int>(c.kind)) << c.pattern;
    EXPECT_EQ(t.regexp, c.regexp) << c.pattern;
  }
}

TEST(PatternMatcherCreate, CleansTrimsAndDropsBlankPatterns) {
  PatternMatcher pm = make({"docs", "config", "", "   ", "  !docs/README.md  ", "./a/b/", "/abs/../c"});
  auto p = pm.patterns();
  ASSERT_EQ(p.size(), 5u);
  EXPECT_EQ(p[0].cleaned, "docs");
  EXPECT_EQ(p[2].cleaned, "docs/README.md");
  EXPECT_TRUE(p[2].exclusion);
  EXPECT_EQ(p[3].cleaned, "a/b");
  EXPECT_EQ(p[4].cleaned, "/c");  // the matcher itself keeps a leading '/'
  EXPECT_TRUE(pm.has_exclusions());
  EXPECT_FALSE(make({"docs", "config"}).has_exclusions());
}

TEST(PatternMatcherCreate, RejectsLoneExclamationAndMalformedPatterns) {
  auto lone = PatternMatcher::create({"a", "!"});
  ASSERT_FALSE(lone.ok());
  EXPECT_EQ(lone.error().message, "illegal exclusion pattern: \"!\"");
  auto spaced = PatternMatcher::create({"  ! "});
  EXPECT_FALSE(spaced.ok());  // trimmed to "!"
  auto bracket = PatternMatcher::create({"["});
  ASSERT_FALSE(bracket.ok());
  EXPECT_EQ(bracket.error().message, "syntax error in pattern \"[\"");
  EXPECT_FALSE(PatternMatcher::create({"!["}).ok());
  EXPECT_FALSE(PatternMatcher::create({"a\\"}).ok());
  // Cleaning can swallow the '!' (as in the reference): "!a/.." is ".".
  auto swallowed = PatternMatcher::create({"!a/.."});
  ASSERT_TRUE(swallowed.ok());
  EXPECT_FALSE(swallowed->has_exclusions());
  EXPECT_TRUE(check_pattern("").ok());
  EXPECT_FALSE(check_pattern("a[").ok());
}

struct ListCase {
  std::vector<std::string> patterns;
  const char* path;
  bool excluded;
};

void expect_cases(const std::vector<ListCase>& cases) {
  for (const auto& c : cases) {
    PatternMatcher pm = make(c.patterns);
    std::string list;
    for (const auto& p : c.patterns) list += "[" + p + "]";
    EXPECT_EQ(pm.excluded(c.path), c.excluded) << list << " vs " << c.path;
    EXPECT_EQ(walk_verdict(pm, c.path), c.excluded) << "(walk) " << list << " vs " << c.path;
  }
}

TEST(PatternMatcherRules, ParentDirectoryRule) {
  expect_cases({
      {{"docs"}, "docs", true},
      {{"docs"}, "docs/a/b/c.md", true},
      {{"docs"}, "docsx", false},
      {{"docs"}, "src/docs", false},            // anchored at the root, unlike .gitignore
      {{"docs/"}, "docs/README.md", true},      // trailing '/' is cleaned away
      {{"*/temp*"}, "somedir/temporary.txt", true},
      {{"*/temp*"}, "somedir/temp/x", true},
      {{"*/temp*"}, "temp", false},
      {{"*/*/temp*"}, "a/b/temp.txt", true},
      {{"*/*/temp*"}, "a/temp.txt", false},
      {{"temp?"}, "tempa", true},
      {{"temp?"}, "temp", false},
      {{"temp?"}, "tempab", false},
      {{"a/b"}, "a", false},                    // a child never excludes its parent
      {{"*.md"}, "docs/a.md", false},           // '*' does not cross '/'
      {{"*.md"}, "a.md", true},
      {{"*.d"}, "conf.d/x/y", true},            // a parent matching a wildcard
  });
}

TEST(PatternMatcherRules, ExceptionsAndOrder) {
  expect_cases({
      {{"*.md", "!README.md"}, "README.md", false},
      {{"*.md", "!README.md"}, "CHANGES.md", true},
      {{"!README.md", "*.md"}, "README.md", true},          // the last match decides
      {{"*.md", "!README*.md", "README-secret.md"}, "README-secret.md", true},
      {{"*.md", "!README*.md", "README-secret.md"}, "README-public.md", false},
      {{"docs", "!docs/README.md"}, "docs/README.md", false},
      {{"docs", "!docs/README.md"}, "docs/other.md", true},
      {{"docs/*", "!docs/README.md"}, "docs/README.md", false},
      {{"**", "!src"}, "src/main.cc", false},               // an exception covers what is below
      {{"**", "!src", "src/gen"}, "src/gen/x.cc", true},
      {{"**", "!src", "src/gen"}, "src/main.cc", false},
      {{"!keep", "keep"}, "keep", true},
      {{"keep", "!keep", "keep"}, "keep/x", true},
      {{"a", "!a/b"}, "a/b/c", false},
      {{"a", "!a/b"}, "a/c", true},
      {{"a", "!a/b"}, "a", true},
      {{"!a"}, "a", false},                                  // an exception alone excludes nothing
  });
}

TEST(PatternMatcherRules, DoubleStarForms) {
  expect_cases({
      {{"**"}, "anything/at/all", true},
      {{"**/*.go"}, "main.go", true},
      {{"**/*.go"}, "a/b/c/main.go", true},
      {{"**/*.go"}, "a/b/c/main.gox", false},
      {{"**/node_modules"}, "node_modules/x", true},
      {{"**/node_modules"}, "web/app/node_modules/y/z", true},
      {{"**/node_modules"}, "web/my_node_modules", false},
      {{"a/**/b"}, "a/b", true},
      {{"a/**/b"}, "a/x/y/b", true},
      {{"a/**/b"}, "a/x/y/bb", false},
      {{"a/**"}, "a", false},
      {{"a/**"}, "a/x", true},
      {{"**/a/**"}, "x/a/y", true},
      {{"**/a/**"}, "x/a", false},
      {{"**file"}, "xfile", true},                           // a suffix test, not a directory one
      {{"**/file"}, "xfile", false},
      {{"a**"}, "abc/d", true},
      {{"**/**/**/**/**/**/**/**/**/x"}, "a/b/c/d/e/f/g/h/i/j/k/x", true},
      {{"**/**/**/**/**/**/**/**/**/x"}, "a/b/c/d/e/f/g/h/i/j/k/y", false},
  });
}

TEST(PatternMatcherRules, GoPatternQuirks) {
  expect_cases({
      {{"[!a]"}, "!", true},          // '!' is a member of the class, not a negation
      {{"[!a]"}, "b", false},
      {{"[^a]"}, "b", true},
      {{"a^b"}, "a^b", true},         // literal when the pattern is a plain string
      {{"a^b*"}, "a^bc", false},      // an anchor once it is a regular expression
      {{"\\d*"}, "7up", true},        // Go's regexp reads "\d" as a digit class
      {{"\\d*"}, "dup", false},
      {{"[[:alpha:]]"}, "q", true},
      {{"\\**"}, "*x", true},
      {{"a\\?b"}, "a?b", true},
      {{"a\\?b"}, "axb", false},
      {{"file\xFF"}, "file\xFF", true},
      {{"?"}, "\xFF", true},
      {{"\u00E9t\u00E9/*"}, "\u00E9t\u00E9/x", true},
  });
}

TEST(PatternMatcherRules, PathsAreCleanedAndDotIsNeverExcluded) {
  PatternMatcher pm = make({"**"});
  EXPECT_FALSE(pm.excluded("."));
  EXPECT_FALSE(pm.excluded(""));
  EXPECT_FALSE(pm.excluded("./"));
  PatternMatcher docs = make({"docs"});
  EXPECT_TRUE(docs.excluded("./docs/a"));
  EXPECT_TRUE(docs.excluded("docs//a/"));
  EXPECT_TRUE(docs.excluded("x/../docs/a"));
  PatternMatcher abs = make({"/c"});
  EXPECT_TRUE(abs.excluded("/c/d"));
  EXPECT_FALSE(abs.excluded("c/d"));
}

TEST(PatternMatcherWalk, SkipsDirectoriesOnlyWhenNoExceptionCanReachInside) {
  struct SkipCase {
    std::vector<std::string> patterns;
    const char* dir;
    bool skip;
  };
  const SkipCase cases[] = {
      {{"node_modules"}, "node_modules", true},
      {{"docs", "!docs/README.md"}, "docs", false},
      {{"docs", "!other/x"}, "docs", true},
      {{"*", "!src/**"}, "src", false},
      {{"*", "!src/**"}, "build", true},
      {{"*", "!src/*"}, "src", false},
      {{"a", "!a/b/c"}, "a", false},
      {{"a", "!a/b/c"}, "a/b", false},
      {{"a", "!a/b/c"}, "a/x", true},
      {{"a", "!ab"}, "a", true},
      {{"**", "!**/keep"}, "x", false},   // wildcard exceptions disable skipping
      {{"a", "!a/b*"}, "a", false},
      {{"a", "!a\\*x"}, "a", false},
  };
  for (const auto& c : cases) {
    PatternMatcher pm = make(c.patterns);
    EXPECT_EQ(pm.can_skip_excluded_dir(c.dir), c.skip) << c.dir;
  }
}

// Walks a small tree the way the context walker will: parents first, results
// handed down, excluded directories skipped when allowed.
TEST(PatternMatcherWalk, WalkingATree) {
  const std::vector<std::pair<std::string, bool>> tree = {  // path, is_dir
      {".git", true},          {".git/HEAD", false},      {"Dockerfile", false},
      {"README.md", false},    {"docs", true},            {"docs/guide.md", false},
      {"docs/keep.md", false}, {"node_modules", true},    {"node_modules/x", true},
      {"node_modules/x/i.js", false}, {"src", true},      {"src/a.go", false},
      {"src/a_test.go", false}, {"src/tmp", true},        {"src/tmp/t.go", false},
  };
  PatternMatcher pm = make({".git", "*.md", "!README.md", "docs", "!docs/keep.md", "node_modules",
                            "**/*_test.go", "src/tmp"});
  std::vector<std::string> kept;
  std::vector<std::pair<std::string, PatternMatcher::ParentResults>> stack;
  std::string skipping;
  for (const auto& [path, is_dir] : tree) {
    if (!skipping.empty() && path.rfind(skipping + "/", 0) == 0) continue;
    skipping.clear();
    while (!stack.empty() && path.rfind(stack.back().first + "/", 0) != 0) stack.pop_back();
    const auto parent = stack.empty() ? PatternMatcher::ParentResults{} : stack.back().second;
    auto verdict = pm.match_in_walk(path, parent);
    EXPECT_EQ(verdict.excluded, pm.excluded(path)) << path;
    if (verdict.excluded && is_dir && pm.can_skip_excluded_dir(path)) {
      skipping = path;
      continue;
    }
    if (is_dir) stack.emplace_back(path, verdict.for_children);
    if (!verdict.excluded) kept.push_back(path);
  }
  const std::vector<std::string> want = {"Dockerfile", "README.md", "docs/keep.md", "src", "src/a.go"};
  EXPECT_EQ(kept, want);
}

// Random patterns without "**", '\' escapes of letters or character classes
// containing '/' mean the same to filepath.Match and to the translated
// expression; the matcher must agree with Go's Match on every input.
TEST(PatternMatcherRandom, AgreesWithGoMatchForShellPatterns) {
  std::mt19937 rng(12345);
  const std::vector<std::string> atoms = {"a", "b", ".", "/", "*", "?", "[ab]", "[^a]", "[a-c]", "\\*", "x"};
  const std::string path_chars = "ab./xc*";
  int checked = 0;
  for (int i = 0; i < 400; ++i) {
    std::string pattern;
    const int len = 1 + static_cast<int>(rng() % 6);
    for (int k = 0; k < len; ++k) pattern += atoms[rng() % atoms.size()];
    if (pattern.find("**") != std::string::npos) continue;
    const std::string cleaned = clean_path(pattern);
    if (cleaned.find("**") != std::string::npos || cleaned[0] == '!') continue;
    auto pm = PatternMatcher::create({cleaned});
    ASSERT_TRUE(pm.ok()) << cleaned;
    for (int j = 0; j < 40; ++j) {
      std::string path;
      const int plen = static_cast<int>(rng() % 7);
      for (int k = 0; k < plen; ++k) path += path_chars[rng() % path_chars.size()];
      auto want = match_path(cleaned, path);
      ASSERT_TRUE(want.ok());
      EXPECT_EQ(pm->matches_exact(path), *want) << "pattern " << cleaned << " path " << path;
      ++checked;
    }
  }
  EXPECT_GT(checked, 5000);
}

// The one-pass parent check must agree with checking every parent separately.
TEST(PatternMatcherRandom, OnePassParentRuleAgreesWithPerParentChecks) {
  std::mt19937 rng(777);
  const std::vector<std::string> atoms = {"a", "b", "/", "*", "**", "?", "[ab]", "!", ".", "**/"};
  const std::string path_chars = "ab/.";
  for (int i = 0; i < 300; ++i) {
    std::vector<std::string> patterns;
    const int count = 1 + static_cast<int>(rng() % 4);
    for (int n = 0; n < count; ++n) {
      std::string p;
      const int len = 1 + static_cast<int>(rng() % 5);
      for (int k = 0; k < len; ++k) p += atoms[rng() % atoms.size()];
      patterns.push_back(p);
    }
    auto pm = PatternMatcher::create(patterns);
    if (!pm.ok()) continue;  // e.g. a lone '!'
    bool rebuildable = true;
    for (const auto& c : pm->compiled()) rebuildable = rebuildable && c.cleaned[0] != '!';
    if (!rebuildable) continue;  // "!!x": its pattern alone would be an exception again
    // Each pattern alone, without '!', to test one candidate path at a time.
    std::vector<PatternMatcher> singles;
    for (const auto& c : pm->compiled()) singles.push_back(make({c.cleaned}));
    for (int j = 0; j < 30; ++j) {
      std::string raw;
      const int plen = 1 + static_cast<int>(rng() % 8);
      for (int k = 0; k < plen; ++k) raw += path_chars[rng() % path_chars.size()];
      const std::string path = clean_path(raw);
      if (path == ".") continue;
      bool matched = false;
      for (size_t n = 0; n < singles.size(); ++n) {
        const bool exclusion = pm->compiled()[n].exclusion;
        if (exclusion != matched) continue;
        bool m = singles[n].matches_exact(path);
        for (const std::string& dir : reference_parents(path)) m = m || singles[n].matches_exact(dir);
        if (m) matched = !exclusion;
      }
      EXPECT_EQ(pm->excluded(path), matched) << "path " << path << " first pattern " << patterns[0];
      EXPECT_EQ(pm->match_in_walk(path, {}).excluded, matched) << path;
    }
  }
}

// Unclean spellings of a path get the verdict of its clean form.
TEST(PatternMatcherRandom, UncleanPathsAreJudgedByTheirCleanForm) {
  std::mt19937 rng(4242);
  const std::vector<std::string> pieces = {"a", "b", ".", "..", "", "ab", "a.b"};
  const std::vector<std::vector<std::string>> lists = {
      {"a/b"}, {"a"}, {"**/b"}, {"*/b", "!a/b"}, {"b/**"}, {"**/*.b"}, {"..", "../a"}, {"/a"}};
  for (const auto& patterns : lists) {
    PatternMatcher pm = make(patterns);
    for (int i = 0; i < 300; ++i) {
      std::string raw = rng() % 4 == 0 ? "/" : "";
      const int n = 1 + static_cast<int>(rng() % 5);
      for (int k = 0; k < n; ++k) raw += (k ? "/" : "") + pieces[rng() % pieces.size()];
      if (rng() % 3 == 0) raw += "/";
      EXPECT_EQ(pm.excluded(raw), pm.excluded(clean_path(raw))) << patterns[0] << " vs " << raw;
    }
  }
}

// The prefilters on a pattern's fixed start and end must not hide matches on
// parents, multi-byte runes or invalid bytes.
TEST(PatternMatcherRules, PrefiltersKeepParentAndUnicodeMatches) {
  expect_cases({
      {{"**/*.[oa]"}, "x/lib.a", true},
      {{"**/*.[oa]"}, "x/lib.o/y", true},
      {{"**/*.[oa]"}, "x/lib.c/y", false},
      {{"**/*.[oa]"}, "x/lib.oo", false},
      {{"**/*.pyc"}, "a.pyc/b.txt", true},
      {{"**/*.pyc"}, "a.pycx/b.txt", false},
      {{"src/*/gen"}, "src/x/gen/y", true},
      {{"src/*/gen"}, "srcx/gen/y", false},
      {{"*\u00E9"}, "caf\u00E9/x", true},
      {{"*\u00E9"}, "cafe/x", false},
      {{"*?"}, "\xFF", true},
      {{"a*\xEF\xBF\xBD"}, "ab\xFF", true},  // U+FFFD in a pattern matches an invalid byte
      {{"x/**/*.[!a]"}, "x/y/z.!", true},
  });
}

}  // namespace
}  // namespace frontend::ignore
