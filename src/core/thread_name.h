// Names the calling thread (as `top -H`, `ps -L` and perf show it), and lowers the priority of background threads.
#pragma once

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace core {

inline void NameThisThread(const std::string& name) {
  (void)::pthread_setname_np(::pthread_self(), name.substr(0, 15).c_str());
}

// How many nice levels background threads run below request handling. Five levels give a thread about a third of
// the CPU share of a normal one when both want the same core; with a core idle it runs at full speed.
constexpr int kBackgroundNice = 5;

// Lowers the calling thread's priority by kBackgroundNice nice levels (on Linux each thread has its own). For work
// that no caller waits on to be acknowledged (rows projected into SQLite, checkpoints, snapshots): on a busy machine
// it yields to the I/O threads and the writer, which hold answers back. Best effort: when refused, nothing changes.
inline void MakeThisThreadBackground() {
  const id_t self = static_cast<id_t>(::gettid());
  errno = 0;
  const int nice = ::getpriority(PRIO_PROCESS, self);
  if (errno != 0) return;
  (void)::setpriority(PRIO_PROCESS, self, nice + kBackgroundNice);
}

// Runs the calling thread at idle priority (SCHED_IDLE): it gets a core only when no other thread wants it, and a
// thread that wakes takes the core from it at once. For background work that callers can do themselves when they
// need it done, since a starved idle thread must not hold them up: the SQLite projector. On this 2-core VM it took
// durable single-event ingest from 24.6k to 30.0-30.2k events/s and p99 from 4.2 to 2.5 ms (docs/performance.md,
// tenth pass). Falls back to MakeThisThreadBackground when refused.
inline void MakeThisThreadIdle() {
  sched_param param{};
  param.sched_priority = 0;
  if (::pthread_setschedparam(::pthread_self(), SCHED_IDLE, &param) != 0) MakeThisThreadBackground();
}

}  // namespace core
