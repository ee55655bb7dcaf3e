#include "frontend/parser/heredoc_markers.h"
#include "frontend/parser/line_parsers.h"

#include <gtest/gtest.h>

namespace frontend::parser {
namespace {

using Strings = std::vector<std::string>;

ast::Node parse_ok(std::string_view line, char escape = '\\') {
  LineParser p(escape);
  ast::Node node;
  LineError err;
  EXPECT_TRUE(p.parse(line, node, err)) << err.message;
  return node;
}

LineError parse_fail(std::string_view line) {
  LineParser p('\\');
  ast::Node node;
  LineError err;
  EXPECT_FALSE(p.parse(line, node, err));
  return err;
}

TEST(ExtractFlags, QuotesRemovedAndDoubleDashEnds) {
  Strings flags;
  EXPECT_EQ(extract_flags("--a=1 --b=\"x y\" rest of it", '\\', flags), "rest of it");
  EXPECT_EQ(flags, (Strings{"--a=1", "--b=x y"}));
  flags.clear();
  EXPECT_EQ(extract_flags("--a -- --notaflag x", '\\', flags), " --notaflag x");
  EXPECT_EQ(flags, (Strings{"--a"}));
  flags.clear();
  EXPECT_EQ(extract_flags("--x='a\\'b' y", '\\', flags), "y");
  EXPECT_EQ(flags, (Strings{"--x=a'b"}));
  flags.clear();
  EXPECT_EQ(extract_flags("-x --y", '\\', flags), "-x --y");
  EXPECT_TRUE(flags.empty());
  flags.clear();
  EXPECT_EQ(extract_flags("--only", '\\', flags), "");
  EXPECT_EQ(flags, (Strings{"--only"}));
}

TEST(ExtractFlags, NonAsciiBytesAreReadAsLatin1LikeBuildKit) {
  Strings flags;
  extract_flags("--l=\xC3\xA9 x", '\\', flags);
  // Go's WriteRune(rune(byte)) turns each byte into a code point.
  EXPECT_EQ(flags, (Strings{"--l=\xC3\x83\xC2\xA9"}));
}

TEST(ParseWords, KeepsQuotesAndEscapes) {
  EXPECT_EQ(parse_words("a \"b c\" 'd e' f\\ g", '\\'), (Strings{"a", "\"b c\"", "'d e'", "f\\ g"}));
  EXPECT_EQ(parse_words("x=\"\"", '\\'), (Strings{"x=\"\""}));
  EXPECT_EQ(parse_words("a`\" b", '`'), (Strings{"a`\"", "b"}));
  EXPECT_EQ(parse_words("'a\\' b'", '\\'), (Strings{"'a\\'", "b'"}));
}

TEST(LineParser, EnvPairsAndLegacyForm) {
  ast::Node n = parse_ok("ENV a=1 b=\"x y\"");
  EXPECT_EQ(n.args, (Strings{"a", "1", "=", "b", "\"x y\"", "="}));
  n = parse_ok("env  KEY  the   rest  ");
  EXPECT_EQ(n.keyword, "env");
  EXPECT_EQ(n.args, (Strings{"KEY", "the   rest", ""}));
  EXPECT_EQ(parse_fail("ENV KEY").message, "ENV must have two arguments");
  EXPECT_EQ(parse_fail("LABEL a=b c").message,
            "Syntax error - can't find = in \"c\". Must be of the form: name=value");
}

TEST(LineParser, ExecAndShellForms) {
  ast::Node n = parse_ok("CMD [\"a\", \"b\\u00e9\\n\"]");
  EXPECT_TRUE(n.json);
  EXPECT_EQ(n.args, (Strings{"a", "b\xC3\xA9\n"}));
  n = parse_ok("RUN [\"a\", 'b']");
  EXPECT_FALSE(n.json);
  EXPECT_EQ(n.args, (Strings{"[\"a\", 'b']"}));
  n = parse_ok("CMD [\"a\"] trailing");
  EXPECT_FALSE(n.json);
  n = parse_ok("ENTRYPOINT []");
  EXPECT_TRUE(n.json);
  EXPECT_TRUE(n.args.empty());
  EXPECT_EQ(parse_fail("RUN [\"a\", 1]").message,
            "when using JSON array syntax, arrays must be comprised of strings only");
  EXPECT_EQ(parse_fail("COPY [\"a\", {\"b\": [1, null]}]").offset, 5u);
}

TEST(LineParser, DeepJsonNestingIsCheckedWithoutRecursion) {
  std::string deep = "RUN [" + std::string(5000, '[') + std::string(5000, ']') + "]";
  EXPECT_FALSE(parse_fail(deep).message.empty());
  std::string broken = "RUN [" + std::string(5000, '[') + std::string(4999, ']') + "]";
  EXPECT_FALSE(parse_ok(broken).json);
  std::string too_deep = "RUN " + std::string(10001, '[') + std::string(10001, ']');
  EXPECT_FALSE(parse_ok(too_deep).json);  // Go refuses it: shell form
}

TEST(LineParser, ListsStringsAndHealthcheck) {
  EXPECT_EQ(parse_ok("COPY --from=b a  b\tc").args, (Strings{"a", "b", "c"}));
  EXPECT_EQ(parse_ok("COPY --from=b a  b\tc").flags, (Strings{"--from=b"}));
  EXPECT_EQ(parse_ok("FROM x AS y").args, (Strings{"x", "AS", "y"}));
  EXPECT_EQ(parse_ok("WORKDIR  /a b ").args, (Strings{"/a b"}));
  EXPECT_EQ(parse_ok("ARG a=\"1 2\" b").args, (Strings{"a=\"1 2\"", "b"}));
  ast::Node h = parse_ok("HEALTHCHECK --retries=3 CMD [\"curl\", \"x\"]");
  EXPECT_EQ(h.args, (Strings{"CMD", "curl", "x"}));
  EXPECT_TRUE(h.json);
  EXPECT_EQ(parse_ok("HEALTHCHECK NONE").args, (Strings{"NONE"}));
  EXPECT_EQ(parse_ok("FOO bar").args, (Strings{""}));
  EXPECT_TRUE(parse_ok("RUN").args.empty());
}

TEST(LineParser, OnbuildTrigger) {
  ast::Node n = parse_ok("ONBUILD --x=1 COPY [\"a\", \"b\"]");
  EXPECT_TRUE(n.args.empty());
  EXPECT_EQ(n.flags, (Strings{"--x=1"}));
  ASSERT_TRUE(n.sub);
  EXPECT_EQ(n.sub->keyword, "COPY");
  EXPECT_TRUE(n.sub->json);
  EXPECT_EQ(n.sub->original, "COPY [\"a\", \"b\"]");
  EXPECT_FALSE(can_contain_heredoc(n));
  EXPECT_TRUE(can_contain_heredoc(parse_ok("ONBUILD RUN <<EOF")));
  std::string chain;
  for (int i = 0; i < 40; ++i) chain += "ONBUILD ";
  EXPECT_NE(parse_fail(chain + "RUN x").message.find("nested ONBUILD"), std::string::npos);
}

TEST(Heredocs, MarkersAndQuoting) {
  auto docs = heredocs_from_line("RUN 3<<EOF cat <<-\"END\" <<E'O'F x<<NO");
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[0].name, "EOF");
  EXPECT_EQ(docs[0].fd, 3);
  EXPECT_TRUE(docs[0].expand);
  EXPECT_EQ(docs[1].name, "END");
  EXPECT_TRUE(docs[1].chomp);
  EXPECT_FALSE(docs[1].expand);
  EXPECT_EQ(docs[2].name, "EOF");
  EXPECT_FALSE(docs[2].expand);
  EXPECT_TRUE(heredocs_from_line("RUN echo \"<<EOF").empty());  // unterminated quote
  EXPECT_TRUE(heredocs_from_line("RUN cat <<\"\"").empty());
  EXPECT_TRUE(heredocs_from_line("RUN cat << EOF").empty());
}

TEST(GoQuote, EscapesLikeStrconvQuote) {
  EXPECT_EQ(go_quote("a\"b\\c\n\x01\xff\xC3\xA9"), "\"a\\\"b\\\\c\\n\\x01\\xff\xC3\xA9\"");
  EXPECT_EQ(go_quote("a\xC2\xA0" "b"), "\"a\\u00a0b\"");
}

}  // namespace
}  // namespace frontend::parser
