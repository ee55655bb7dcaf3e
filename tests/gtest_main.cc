// The main() of every kiln test binary: GoogleTest plus the two paths tests
// use to find fixtures and the built kiln binary. They come from the build
// (compile definitions) unless the environment already sets them.
#include <gtest/gtest.h>

#include <cstdlib>

int main(int argc, char** argv) {
  setenv("KILN_SOURCE_DIR", KILN_SOURCE_DIR_DEFAULT, 0);
  setenv("KILN_BINARY_DIR", KILN_BINARY_DIR_DEFAULT, 0);
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
