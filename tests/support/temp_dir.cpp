#include "support/temp_dir.h"

#include <stdlib.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <system_error>

#include "core/result.h"

namespace test_support {

TempDir::TempDir() {
  // mkdtemp replaces the six trailing X.
  std::string pattern = (std::filesystem::temp_directory_path() / ("incidentd-test-" + std::string(6, 'X'))).string();
  INCIDENTD_CHECK(mkdtemp(pattern.data()) != nullptr);
  path_ = pattern;
}

TempDir::~TempDir() {
  if (std::getenv("INCIDENTD_KEEP_TEST_DIRS") != nullptr) {
    std::cerr << "[test_support] kept " << path_ << "\n";
    return;
  }
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace test_support
