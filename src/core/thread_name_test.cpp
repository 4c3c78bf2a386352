#include "core/thread_name.h"

#include <algorithm>
#include <thread>

#include <gtest/gtest.h>

namespace core {
namespace {

int NiceOfThisThread() { return ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid())); }

TEST(ThreadTest, ABackgroundThreadRunsFiveNiceLevelsBelowItsStarterAndOthersAreUntouched) {
  const int before = NiceOfThisThread();
  int background = 0;
  int sibling = 0;
  std::thread([&] {
    MakeThisThreadBackground();
    background = NiceOfThisThread();
  }).join();
  std::thread([&] { sibling = NiceOfThisThread(); }).join();

  // The nice value tops out at 19; a test run already niced that far sees no change.
  EXPECT_EQ(background, std::min(before + kBackgroundNice, 19));
  EXPECT_EQ(sibling, before);
  EXPECT_EQ(NiceOfThisThread(), before);
}

TEST(ThreadTest, ANamedThreadShowsItsFirstFifteenBytes) {
  char name[32] = {};
  std::thread([&] {
    NameThisThread("a-rather-long-thread-name");
    ::pthread_getname_np(::pthread_self(), name, sizeof name);
  }).join();
  EXPECT_STREQ(name, "a-rather-long-t");
}

}  // namespace
}  // namespace core
