// A fresh directory under $TMPDIR for one test, removed with everything in it when the object goes away.
#pragma once

#include <filesystem>

namespace test_support {

class TempDir {
 public:
  // Aborts the test binary when no directory can be made (nothing useful could run without it).
  TempDir();
  // Removes the directory unless INCIDENTD_KEEP_TEST_DIRS is set (then prints where it is).
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace test_support
