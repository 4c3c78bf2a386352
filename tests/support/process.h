// Child processes for integration tests: start a program with its output in files, wait for it with a deadline,
// and run incidentctl to completion capturing what it printed.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"

namespace test_support {

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0] is the program's path
  std::vector<std::string> env;   // "NAME=value": added to this process's environment, replacing the same NAME
  std::string stdout_path;        // empty: /dev/null
  std::string stderr_path;        // empty: /dev/null
};

// Starts the program; it gets no descriptors of ours beyond 0-2 and is SIGKILLed if the spawning thread dies, so
// a crashed test leaves no server behind. kInternal when fork fails; a failed exec shows as exit status 127.
core::Result<pid_t> Spawn(const SpawnOptions& options);

// The exit status (the code, or 128 + signal number) once `pid` ended; nullopt while it runs.
std::optional<int> TryWait(pid_t pid);
// Polls TryWait until `pid` ends or `timeout` passes (nullopt then; the process is left running).
std::optional<int> WaitFor(pid_t pid, core::Duration timeout);

struct CtlResult {
  int exit_code = -1;  // -1 when it could not be run or did not finish within a minute (then killed)
  std::string out;
  std::string err;
};

// Runs incidentctl (BinaryPath) with `args` (and `env` as for Spawn) and waits for it, at most a minute.
CtlResult RunCtl(const std::vector<std::string>& args, const std::vector<std::string>& env = {});

// Where a binary under test is: the environment variable ctest sets (INCIDENTD_BIN, INCIDENTCTL_BIN), else
// `file_name` beside the running test executable (every executable lands in the build directory). Aborts with a
// clear message when neither exists.
std::string BinaryPath(const char* env_name, const char* file_name);

// The whole file, or "" when it cannot be read.
std::string ReadFile(const std::string& path);
// Replaces the file's contents (a test failure when it cannot be written).
void WriteFile(const std::string& path, const std::string& contents);

}  // namespace test_support
