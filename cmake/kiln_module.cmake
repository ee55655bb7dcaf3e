# The module graph of DESIGN.md, enforced: a kiln library may link only the
# modules listed for it here. Adding an edge is a design decision; make it here.
set(KILN_ALLOWED_DEPS_base "")
set(KILN_ALLOWED_DEPS_oci base)
set(KILN_ALLOWED_DEPS_content base oci)
set(KILN_ALLOWED_DEPS_registry base oci content)
set(KILN_ALLOWED_DEPS_solver_ir base)
set(KILN_ALLOWED_DEPS_frontend base solver_ir)
set(KILN_ALLOWED_DEPS_solver base solver_ir)
set(KILN_ALLOWED_DEPS_snapshotter base oci content)
set(KILN_ALLOWED_DEPS_exec base)
# solver/ops: the ops that touch files, snapshots, the content store and exec.
# The solver core (module solver) stays free of all of these. frontend is
# allowed for its path-pattern matcher (frontend/ignore), which COPY and the
# context selection share with .dockerignore.
set(KILN_ALLOWED_DEPS_solver_ops base oci content solver_ir solver snapshotter exec frontend)
set(KILN_ALLOWED_DEPS_cli base oci content registry solver_ir frontend solver solver_ops snapshotter exec)

# Warnings are errors for our own code only; generated code gets its own flags.
set(KILN_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Wunused -Woverloaded-virtual -Wconversion -Wsign-conversion
    -Wimplicit-fallthrough -Werror)
# GCC 12 reports false -Wrestrict positives inside libstdc++'s string operator+
# (GCC PR 105329); clang has no such warning. -Wnull-dereference is left out for
# the same reason: at -O3 it fires inside libstdc++ stream buffers.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  list(APPEND KILN_WARNINGS -Wno-restrict)
endif()

# kiln_library(<target> MODULE <module> SOURCES ... [KILN_DEPS ...] [DEPS ...])
#   <target>  the CMake target (a module may be split into several, e.g. frontend_shell)
#   MODULE    which row of the table above governs KILN_DEPS
#   KILN_DEPS other kiln targets; each must belong to an allowed module or the same module
#   DEPS      third-party targets
function(kiln_library target)
  cmake_parse_arguments(ARG "" "MODULE" "SOURCES;KILN_DEPS;DEPS" ${ARGN})
  if(NOT DEFINED KILN_ALLOWED_DEPS_${ARG_MODULE})
    message(FATAL_ERROR "${target}: unknown module '${ARG_MODULE}'")
  endif()
  foreach(dep IN LISTS ARG_KILN_DEPS)
    get_target_property(dep_module ${dep} KILN_MODULE)
    if(NOT dep_module)
      message(FATAL_ERROR "${target}: '${dep}' is not a kiln library (declare it first)")
    endif()
    if(NOT dep_module STREQUAL ARG_MODULE AND NOT dep_module IN_LIST KILN_ALLOWED_DEPS_${ARG_MODULE})
      message(FATAL_ERROR "${target} (module ${ARG_MODULE}) may not depend on ${dep} (module ${dep_module}); see cmake/kiln_module.cmake")
    endif()
  endforeach()
  add_library(${target} STATIC ${ARG_SOURCES})
  set_target_properties(${target} PROPERTIES KILN_MODULE ${ARG_MODULE})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_options(${target} PRIVATE ${KILN_WARNINGS})
  target_link_libraries(${target} PUBLIC ${ARG_KILN_DEPS} ${ARG_DEPS})
endfunction()

# Every test binary's main(): sets KILN_SOURCE_DIR and KILN_BINARY_DIR (unless
# already set) so tests find fixtures and the kiln binary.
add_library(kiln_gtest_main STATIC ${PROJECT_SOURCE_DIR}/tests/gtest_main.cc)
target_compile_definitions(kiln_gtest_main PRIVATE
  KILN_SOURCE_DIR_DEFAULT="${PROJECT_SOURCE_DIR}" KILN_BINARY_DIR_DEFAULT="${PROJECT_BINARY_DIR}")
target_link_libraries(kiln_gtest_main PUBLIC GTest::gtest GTest::gmock)

# kiln_test(<name> SOURCES ... [DEPS ...] [LABELS ...])
# A GoogleTest binary; every TEST in it becomes a ctest test with the labels
# (default: unit).
function(kiln_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_options(${name} PRIVATE ${KILN_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} kiln_gtest_main)
  include(GoogleTest)
  gtest_discover_tests(${name} PROPERTIES LABELS "${ARG_LABELS}" DISCOVERY_TIMEOUT 60)
endfunction()

# kiln_fuzzer(<name> SOURCES ... DEPS ... CORPUS <dir>)
# A libFuzzer target (entry point LLVMFuzzerTestOneInput). With KILN_FUZZ=ON
# (clang) it links libFuzzer for real fuzzing; otherwise it links a small
# replay driver so that ctest runs every corpus input through it under the
# ordinary (and sanitizer) builds.
function(kiln_fuzzer name)
  cmake_parse_arguments(ARG "" "CORPUS" "SOURCES;DEPS" ${ARGN})
  if(KILN_FUZZ)
    add_executable(${name} ${ARG_SOURCES})
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  else()
    add_executable(${name} ${ARG_SOURCES} ${PROJECT_SOURCE_DIR}/tests/fuzz/replay_main.cc)
    add_test(NAME ${name}.replay_corpus COMMAND ${name} ${ARG_CORPUS})
    set_tests_properties(${name}.replay_corpus PROPERTIES LABELS "unit;fuzz")
  endif()
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_options(${name} PRIVATE ${KILN_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
endfunction()
