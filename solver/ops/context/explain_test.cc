// explain_selection_change: the lines --explain-cache prints.

#include <gtest/gtest.h>

#include "solver/ops/context/selection.h"

namespace solver::ops::context {
namespace {

using base::FileType;

SelectedEntry file(std::string path, std::string content, uint32_t mode = 0644) {
  SelectedEntry e;
  e.path = std::move(path);
  e.type = FileType::regular;
  e.mode = mode;
  e.size = content.size();
  e.content = base::Sha256::of(content);
  return e;
}

SelectedEntry dir(std::string path, uint32_t mode = 0755) {
  SelectedEntry e;
  e.path = std::move(path);
  e.type = FileType::directory;
  e.mode = mode;
  return e;
}

SelectedEntry link(std::string path, std::string target) {
  SelectedEntry e;
  e.path = std::move(path);
  e.type = FileType::symlink;
  e.mode = 0777;
  e.size = target.size();
  e.link_target = std::move(target);
  return e;
}

Selection make(std::vector<SelectedEntry> entries) {
  Selection s;
  s.entries = std::move(entries);
  s.digest = selection_digest(s.entries);
  return s;
}

TEST(ExplainSelectionChange, NamesEachKindOfChange) {
  Selection before = make({link("link", "a"), file("old.txt", "o"), file("run.sh", "r"),
                           dir("src"), file("src/main.c", "one")});
  Selection after = make({link("link", "b"), file("run.sh", "r", 0755), dir("src"),
                          file("src/main.c", "two"), file("src/new.c", "n")});
  EXPECT_EQ(explain_selection_change(before, after),
            (std::vector<std::string>{"link: target changed a -> b", "old.txt: removed",
                                      "run.sh: mode changed 0644 -> 0755",
                                      "src/main.c: content changed", "src/new.c: added"}));
}

TEST(ExplainSelectionChange, NothingChanged) {
  Selection s = make({dir("src"), file("src/a", "a")});
  EXPECT_TRUE(explain_selection_change(s, s).empty());
}

TEST(ExplainSelectionChange, SeveralChangesOfOneEntryShareALine) {
  Selection before = make({file("x", "1", 0644)});
  Selection after = make({file("x", "22", 0600)});
  EXPECT_EQ(explain_selection_change(before, after),
            (std::vector<std::string>{"x: content changed, mode changed 0644 -> 0600"}));
}

TEST(ExplainSelectionChange, TypeChange) {
  Selection before = make({file("x", "1")});
  Selection after = make({dir("x")});
  EXPECT_EQ(explain_selection_change(before, after),
            (std::vector<std::string>{"x: type changed file -> directory, mode changed 0644 -> 0755"}));
}

TEST(ExplainSelectionChange, FollowsDepthFirstOrder) {
  Selection before = make({dir("a"), file("a.b", "1")});
  Selection after = make({dir("a"), file("a/x", "x"), file("a.b", "2")});
  EXPECT_EQ(explain_selection_change(before, after),
            (std::vector<std::string>{"a/x: added", "a.b: content changed"}));
}

TEST(ExplainSelectionChange, CapsTheNumberOfLines) {
  std::vector<SelectedEntry> entries;
  for (int i = 0; i < 30; ++i) entries.push_back(file("f" + std::to_string(100 + i), "x"));
  Selection after = make(entries);
  auto lines = explain_selection_change(make({}), after, 5);
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0], "f100: added");
  EXPECT_EQ(lines[4], "f104: added");
  EXPECT_EQ(lines[5], "... and 25 more");
}

}  // namespace
}  // namespace solver::ops::context
