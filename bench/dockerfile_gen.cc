#include "bench/dockerfile_gen.h"

namespace bench {

std::string generate_dockerfile(int instructions, int per_stage) {
  std::string out = "# syntax=docker/dockerfile:1\nARG BASE=busybox:1.36\n";
  int emitted = 1;  // the global ARG
  int stage = 0;
  while (emitted < instructions) {
    out += "FROM ${BASE} AS stage" + std::to_string(stage) + "\n";
    ++emitted;
    for (int i = 1; i < per_stage && emitted < instructions; ++i, ++emitted) {
      std::string n = std::to_string(i);
      switch (i % 8) {
        case 0:
          out += "RUN set -e; \\\n    echo step " + n + " > /tmp/f" + n + " && \\\n    cat /tmp/f" + n + "\n";
          break;
        case 1:
          out += "RUN <<EOF\necho heredoc " + n + "\nls -l /tmp\nEOF\n";
          break;
        case 2:
          out += "COPY --chown=1000:1000 src/file" + n + ".txt /app/data/\n";
          break;
        case 3:
          out += "ENV VAR" + n + "=value" + n + " PATH=/usr/local/bin:$PATH\n";
          break;
        case 4:
          out += "ARG OPT" + n + "=default\n";
          break;
        case 5:
          out += "LABEL org.example.step" + n + "=\"step " + n + "\"\n";
          break;
        case 6:
          out += "WORKDIR /app/w" + n + "\n";
          break;
        default:
          if (stage > 0)
            out += "COPY --from=stage" + std::to_string(stage - 1) + " /app/data /prev/" + n + "/\n";
          else
            out += "RUN [\"/bin/sh\", \"-c\", \"echo exec form " + n + "\"]\n";
          break;
      }
    }
    ++stage;
  }
  return out;
}

std::string generate_env_heavy_dockerfile(int instructions) {
  std::string out = "FROM busybox:1.36\n";
  for (int i = 1; i < instructions; ++i) {
    std::string n = std::to_string(i / 5);
    switch (i % 5) {
      case 0: out += "ENV E" + n + "=v" + n + " PATH=/opt/" + n + "/bin:/usr/bin:/bin\n"; break;
      case 1: out += "ARG A" + n + "=${E" + n + "}-a\n"; break;
      case 2: out += "RUN echo $E" + n + " ${A" + n + "} > /tmp/" + n + "\n"; break;
      case 3: out += "WORKDIR /w/${A" + n + "}\n"; break;
      default: out += "COPY --chown=${E" + n + "} f" + n + " ./\n"; break;
    }
  }
  return out;
}

}  // namespace bench
