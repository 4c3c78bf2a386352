// Names the calling thread (as `top -H`, `ps -L` and perf show it). Linux keeps the first 15 bytes.
#pragma once

#include <pthread.h>

#include <string>

namespace core {

inline void NameThisThread(const std::string& name) {
  (void)::pthread_setname_np(::pthread_self(), name.substr(0, 15).c_str());
}

}  // namespace core
