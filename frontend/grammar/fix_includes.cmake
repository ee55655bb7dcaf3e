# Points generated ANTLR sources at kiln's runtime umbrella header
# (see CMakeLists.txt) instead of antlr4-runtime.h. Run with -DFILES="a;b".
foreach(f IN LISTS FILES)
  file(READ "${f}" text)
  string(REPLACE "#include \"antlr4-runtime.h\"" "#include \"frontend/grammar/antlr_runtime.h\"" text "${text}")
  file(WRITE "${f}" "${text}")
endforeach()
