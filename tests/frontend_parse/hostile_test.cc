// Inputs built to make a parser hang or blow up. Each must finish with a
// result or a clear error; nothing here asserts wall time (sanitizer builds
// are slow), only that the work completes with the right answer.
#include <gtest/gtest.h>

#include <string>

#include "frontend/parser/parser.h"

namespace {

using frontend::parser::parse_dockerfile;

// Short RUN lines and exec-form COPY lines, until the text holds `bytes`.
std::string many_instructions(size_t bytes, size_t& lines) {
  std::string text = "FROM alpine\n";
  const std::string run = "RUN echo a reasonably long shell command line && make -j4 install\n";
  const std::string copy = "COPY --chown=1:1 [\"src dir/\", \"/app/\"]\n";
  lines = 1;
  for (;;) {
    const std::string& next = lines % 8 == 0 ? copy : run;
    if (text.size() + next.size() > bytes) return text;
    text += next;
    ++lines;
  }
}

TEST(Hostile, FiftyMegabyteFileIsRefused) {
  size_t lines = 0;
  std::string text = many_instructions(50u * 1024 * 1024, lines);
  auto doc = parse_dockerfile(text, "Dockerfile");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error().message, "dockerfile is larger than the 8 MiB kiln reads");
  EXPECT_EQ(doc.error().pos->line, 1);
  EXPECT_EQ(doc.error().pos->line_text, "FROM alpine");
}

TEST(Hostile, LargestFileIsParsed) {
  size_t lines = 0;
  std::string text = many_instructions(frontend::parser::k_max_dockerfile_size, lines);
  auto doc = parse_dockerfile(text, "Dockerfile");
  ASSERT_TRUE(doc.ok()) << doc.error().render();
  EXPECT_EQ(doc->instructions.size(), lines);
  EXPECT_TRUE(doc->instructions[8].json);
  // Blank lines up to the limit exactly, then one byte more.
  text.append(frontend::parser::k_max_dockerfile_size - text.size(), '\n');
  EXPECT_TRUE(parse_dockerfile(text, "Dockerfile").ok());
  EXPECT_FALSE(parse_dockerfile(text + "\n", "Dockerfile").ok());
  // A byte order mark is not part of the Dockerfile.
  EXPECT_TRUE(parse_dockerfile("\xEF\xBB\xBF" + text, "Dockerfile").ok());
}

TEST(Hostile, MillionCharacterLineIsRefused) {
  std::string text = "FROM alpine\nRUN " + std::string(1000000, 'x') + "\nRUN after\n";
  auto doc = parse_dockerfile(text, "Dockerfile");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error().message, "dockerfile line greater than max allowed size of 65535");
  ASSERT_TRUE(doc.error().pos);
  EXPECT_EQ(doc.error().pos->line, 2);
  EXPECT_LT(doc.error().render().size(), 1000u);
}

TEST(Hostile, MillionCharacterLineWithoutNewline) {
  std::string text = "FROM alpine\nLABEL a=\"" + std::string(1000000, '"');
  auto doc = parse_dockerfile(text, "Dockerfile");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error().pos->line, 2);
}

TEST(Hostile, ThreeHundredThousandContinuationLines) {
  std::string text = "FROM alpine\nRUN echo start \\\n";
  for (int i = 0; i < 300000; ++i) text += "  && step \\\n";
  text += "  && done\n";
  auto doc = parse_dockerfile(text, "Dockerfile");
  ASSERT_TRUE(doc.ok()) << doc.error().render();
  ASSERT_EQ(doc->instructions.size(), 2u);
  EXPECT_EQ(doc->instructions[1].start_line, 2);
  EXPECT_EQ(doc->instructions[1].end_line, 300003);
  EXPECT_EQ(doc->instructions[1].args.size(), 1u);
}

TEST(Hostile, ContinuationsOfEmptyAndCommentLines) {
  std::string text = "FROM alpine\nRUN a \\\n";
  for (int i = 0; i < 300000; ++i) text += (i % 2) ? "\n" : "# c\n";
  text += "b\n";
  auto doc = parse_dockerfile(text, "Dockerfile");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->instructions[1].original, "RUN a b");
  ASSERT_EQ(doc->warnings.size(), 1u);
}

TEST(Hostile, ManyHeredocs) {
  std::string text = "FROM alpine\n";
  for (int i = 0; i < 50000; ++i) text += "COPY <<A <<B /d/\na\nA\nb\nB\n";
  auto doc = parse_dockerfile(text, "Dockerfile");
  ASSERT_TRUE(doc.ok());
  ASSERT_EQ(doc->instructions.size(), 50001u);
  EXPECT_EQ(doc->instructions[50000].heredocs.size(), 2u);
}

TEST(Hostile, ManyHeredocMarkersOnOneLine) {
  std::string line = "RUN";
  for (int i = 0; i < 6000; ++i) line += " <<E" + std::to_string(i);
  std::string text = "FROM alpine\n" + line + "\n";
  for (int i = 0; i < 6000; ++i) text += "E" + std::to_string(i) + "\n";
  auto doc = parse_dockerfile(text, "Dockerfile");
  ASSERT_TRUE(doc.ok()) << doc.error().render();
  EXPECT_EQ(doc->instructions[1].heredocs.size(), 6000u);
}

TEST(Hostile, HugeHeredocBodyUnterminated) {
  std::string text = "FROM alpine\nRUN <<EOF\n";
  for (int i = 0; i < 200000; ++i) text += "body line\n";
  auto doc = parse_dockerfile(text, "Dockerfile");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error().message, "unterminated heredoc");
}

TEST(Hostile, DeeplyNestedJsonAndOnbuild) {
  std::string deep = "FROM alpine\nCMD [" + std::string(30000, '[') + std::string(30000, ']') + "]\n";
  auto doc = parse_dockerfile(deep, "Dockerfile");
  ASSERT_TRUE(doc.ok());  // deeper than Go's JSON limit: shell form
  EXPECT_FALSE(doc->instructions[1].json);
  std::string chain = "FROM alpine\n";
  for (int i = 0; i < 8000; ++i) chain += "ONBUILD ";
  chain += "RUN x\n";
  auto onbuild = parse_dockerfile(chain, "Dockerfile");
  ASSERT_FALSE(onbuild.ok());
  EXPECT_NE(onbuild.error().message.find("ONBUILD"), std::string::npos);
}

TEST(Hostile, NonAsciiAndBinaryNoise) {
  std::string text = "FROM alpine\n";
  for (int i = 0; i < 2000; ++i) {
    text += "RUN [\"\xff\xfe\", \"\xC3\xA9\"] ";
    for (int b = 0; b < 256; ++b)
      if (b != '\n') text += static_cast<char>(b);
    text += "\nCOPY \xC2\xA0 \xE2\x80\x83 [\"\x80\"]\n";
  }
  auto doc = parse_dockerfile(text, "Dockerfile");
  ASSERT_TRUE(doc.ok()) << doc.error().render();
  EXPECT_EQ(doc->instructions.size(), 4001u);
}

}  // namespace
