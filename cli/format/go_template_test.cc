#include "cli/format/go_template.h"

#include <gtest/gtest.h>

namespace cli::format {
namespace {

using nlohmann::json;

// docker inspect's shape, trimmed.
const json k_image = json::parse(R"({
  "Id": "sha256:abc",
  "RepoTags": ["app:latest", "app:v1"],
  "Size": 12345,
  "Os": "linux",
  "Config": {
    "Env": ["PATH=/usr/bin", "A=1"],
    "Labels": {"org.opencontainers.image.title": "app", "tier": "web"},
    "Entrypoint": null,
    "ExposedPorts": {}
  }
})");

std::string run(const std::string& text, const json& data = k_image) {
  auto parsed = GoTemplate::parse(text);
  if (!parsed.ok()) return "PARSE ERROR: " + parsed.error().message;
  auto out = parsed->execute(data);
  if (!out.ok()) return "EXEC ERROR: " + out.error().message;
  return *out;
}

TEST(GoTemplate, FieldsAndTextAsDockerUsersWriteThem) {
  EXPECT_EQ(run("{{.Id}}"), "sha256:abc");
  EXPECT_EQ(run("id={{.Id}} os={{ .Os }}\n"), "id=sha256:abc os=linux\n");
  EXPECT_EQ(run("{{.Size}}"), "12345");
  EXPECT_EQ(run("{{.RepoTags}}"), "[app:latest app:v1]");
  EXPECT_EQ(run("{{.Config.Labels}}"), "map[org.opencontainers.image.title:app tier:web]");
  EXPECT_EQ(run("{{.Config.Entrypoint}}"), "<nil>");
  EXPECT_EQ(run("{{.Config.ExposedPorts}}"), "map[]");
  EXPECT_EQ(run("{{.Missing}}"), "<no value>");
  EXPECT_EQ(run("{{.Config.Labels.tier}}"), "web");
  EXPECT_EQ(run("{{.}}", json("x")), "x");
  EXPECT_EQ(run("no actions"), "no actions");
}

TEST(GoTemplate, Functions) {
  EXPECT_EQ(run("{{json .Config.Labels}}"), R"({"org.opencontainers.image.title":"app","tier":"web"})");
  EXPECT_EQ(run("{{json .RepoTags}}"), R"(["app:latest","app:v1"])");
  EXPECT_EQ(run("{{index .RepoTags 0}}"), "app:latest");
  EXPECT_EQ(run(R"({{index .Config.Labels "org.opencontainers.image.title"}})"), "app");
  EXPECT_EQ(run(R"({{index .Config.Labels "nope"}})"), "");  // a string map's zero value, as docker prints
  EXPECT_EQ(run(R"({{index .NoLabels "nope"}})"), "");
  EXPECT_EQ(run(R"({{index .Config "nope"}})"), "<no value>");
  EXPECT_EQ(run("{{len .RepoTags}}"), "2");
  EXPECT_EQ(run(R"({{join .Config.Env ","}})"), "PATH=/usr/bin,A=1");
  EXPECT_EQ(run(R"({{split "a:b:c" ":"}})"), "[a b c]");
  EXPECT_EQ(run("{{upper .Os}} {{title \"hello world\"}} {{lower \"ABC\"}}"), "LINUX Hello World abc");
  EXPECT_EQ(run("{{.Os | upper}}"), "LINUX");
  EXPECT_EQ(run("{{truncate .Id 9}}"), "sha256:ab");
  EXPECT_EQ(run(R"({{printf "%s has %d tags, %q" .Id (len .RepoTags) .Os}})"), "sha256:abc has 2 tags, \"linux\"");
  EXPECT_EQ(run(R"({{print "a" 1 2 "b"}})"), "a1 2b");
  EXPECT_EQ(run(R"({{printf "%-6s|%6s|%.3s|%05d|%+d|%x|%%" "ab" "cd" "efgh" 42 7 255}})"),
            "ab    |    cd|efg|00042|+7|ff|%");
  EXPECT_EQ(run(R"({{printf "%d %s" "x"}})"), "%!d(x) %!s(MISSING)");
  EXPECT_EQ(run(R"({{printf "%s" "a" "b"}})"), "a%!(EXTRA b)");
  EXPECT_EQ(run(R"({{title "it's a_b c-d"}})"), "It'S A_b C-D");
  EXPECT_EQ(run("{{json (truncate \"\xc3\xa9\" 1)}}"), "\"\xef\xbf\xbd\"");
  EXPECT_EQ(run(R"({{println "a" 1}})"), "a 1\n");
}

TEST(GoTemplate, ControlFlow) {
  EXPECT_EQ(run("{{range .RepoTags}}<{{.}}>{{end}}"), "<app:latest><app:v1>");
  EXPECT_EQ(run("{{range $i, $t := .RepoTags}}{{$i}}={{$t}} {{end}}"), "0=app:latest 1=app:v1 ");
  EXPECT_EQ(run("{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}"),
            "org.opencontainers.image.title=app;tier=web;");
  EXPECT_EQ(run("{{range .Config.ExposedPorts}}x{{else}}none{{end}}"), "none");
  EXPECT_EQ(run("{{if .Config.Entrypoint}}yes{{else}}no{{end}}"), "no");
  EXPECT_EQ(run(R"({{if eq .Os "windows"}}w{{else if eq .Os "linux"}}l{{else}}?{{end}})"), "l");
  EXPECT_EQ(run("{{if and .Id (not .Missing)}}ok{{end}}"), "ok");
  EXPECT_EQ(run("{{with .Config}}{{.Labels.tier}}{{end}}"), "web");
  EXPECT_EQ(run("{{$id := .Id}}{{range .RepoTags}}{{$id}} {{end}}"), "sha256:abc sha256:abc ");
  EXPECT_EQ(run("{{range .RepoTags}}{{$.Os}}{{end}}"), "linuxlinux");
  EXPECT_EQ(run("a {{- /* a comment */ -}} b"), "ab");
  EXPECT_EQ(run("{{range .RepoTags -}}\n  {{.}}\n{{- end}}"), "app:latestapp:v1");
  EXPECT_EQ(run("{{if and .RepoTags (index .RepoTags 0)}}first{{end}}"), "first");
  EXPECT_EQ(run("{{if and .Missing (index .Missing 5)}}x{{else}}short{{end}}"), "short");
  EXPECT_EQ(run("{{if or .Os (index .RepoTags 9)}}or{{end}}"), "or");
  EXPECT_EQ(run("{{range .Config.ExposedPorts}}{{else}}{{$x := 1}}{{end}}{{$x}}"),
            "EXEC ERROR: template: at byte 59: undefined variable: $x");
}

TEST(GoTemplate, ErrorsNameTheProblem) {
  EXPECT_EQ(run("{{.Id"), "PARSE ERROR: template: at byte 6: unclosed action: missing }}");
  EXPECT_EQ(run("{{if .Id}}x"), "PARSE ERROR: template: at byte 12: unexpected end of template: missing {{end}}");
  EXPECT_EQ(run("{{end}}"), "PARSE ERROR: template: at byte 3: unexpected {{end}}");
  EXPECT_EQ(run("{{nosuch .Id}}"), "EXEC ERROR: template: at byte 3: function \"nosuch\" not defined");
  EXPECT_EQ(run("{{index .RepoTags 5}}"), "EXEC ERROR: template: at byte 3: index out of range: 5");
  EXPECT_EQ(run("{{.Id.Sub}}"), "EXEC ERROR: template: at byte 3: can't evaluate field Sub in sha256:abc");
  EXPECT_EQ(run("{{range .Size}}{{end}}"), "EXEC ERROR: template: at byte 9: range can't iterate over 12345");
  EXPECT_EQ(run("{{$x}}"), "EXEC ERROR: template: at byte 3: undefined variable: $x");
  EXPECT_EQ(run("{{\"a\\q\"}}"), "PARSE ERROR: template: at byte 5: unknown escape sequence \\q");
  EXPECT_EQ(run("a{{ }}b"), "PARSE ERROR: template: at byte 5: missing value for command");
  EXPECT_EQ(run("{{" + std::string(300, '(') + "1" + std::string(300, ')') + "}}"),
            "PARSE ERROR: template: at byte 203: max expression depth exceeded");
  std::string deep;
  for (int i = 0; i < 300; ++i) deep += "{{if 1}}";
  EXPECT_EQ(run(deep).rfind("PARSE ERROR: template: at byte ", 0), 0u);
  EXPECT_NE(run(deep).find("max expression depth exceeded"), std::string::npos);
}

}  // namespace
}  // namespace cli::format
