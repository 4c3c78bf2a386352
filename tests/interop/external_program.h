// Third-party programs run by interop tests (Debian's Prometheus, Alertmanager and amtool): started with their
// output in files, waited for over HTTP, killed when the test ends, their logs printed when it failed.
#pragma once

#include <sys/types.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"

namespace interop {

inline constexpr const char* kPrometheusBin = "/usr/bin/prometheus";
inline constexpr const char* kAlertmanagerBin = "/usr/bin/prometheus-alertmanager";
inline constexpr const char* kAmtoolBin = "/usr/bin/amtool";

// How long a program may take to start, or a condition to come true. Generous: tests run in parallel on small
// machines, and a wait only lasts this long when something is broken.
inline constexpr core::Duration kStartTimeout = std::chrono::seconds(60);

// Success when `path` is an executable file; otherwise a failure naming `make setup`, which installs the packages
// tools/packages.txt lists. Interop tests fail rather than skip when a program is missing.
::testing::AssertionResult Installed(const std::string& path);

// One long-running program. Not thread-safe. The thread that starts it must outlive it: the child is SIGKILLed when
// that thread ends, so a crashed test leaves nothing running.
class ExternalProgram {
 public:
  // `name` labels the log files (<log_dir>/<name>.stdout.log and .stderr.log) and the output printed on failure.
  // `log_dir` must exist and outlive this object.
  ExternalProgram(std::string name, std::filesystem::path log_dir);
  // SIGKILLs it when running; prints both logs when the current test has failed.
  ~ExternalProgram();
  ExternalProgram(const ExternalProgram&) = delete;
  ExternalProgram& operator=(const ExternalProgram&) = delete;

  // Starts argv[0] with `argv`. kInternal when fork fails; a failed exec shows as exit status 127. Must not be
  // running.
  core::Status Start(const std::vector<std::string>& argv);
  // Polls `GET target` on 127.0.0.1:`port` until it answers 200. kUnavailable, with the program's logs, when the
  // program exits first or `timeout` passes (the program is then left running for the destructor).
  core::Status WaitForHttp(uint16_t port, const std::string& target, core::Duration timeout = kStartTimeout);
  // Sends `signal_number` (e.g. SIGHUP to make Prometheus reload); nothing when it is not running.
  void Signal(int signal_number);
  // SIGKILL and reap; nothing when it is not running.
  void Kill();

  // Whether it still runs (reaps it when it ended).
  bool running();
  // stderr then stdout, each labelled and cut to its last 8 KiB.
  std::string Logs() const;

 private:
  std::string name_;
  std::filesystem::path stdout_path_;
  std::filesystem::path stderr_path_;
  std::optional<pid_t> pid_;
  std::optional<int> exit_status_;
};

struct ProgramRun {
  int exit_code = -1;  // -1 when it could not be run or did not finish in time (then killed)
  std::string out;
  std::string err;

  // "exit N\nstdout:\n...\nstderr:\n..." for assertion messages.
  std::string Describe() const;
};

// Runs `argv` to completion with `env` ("NAME=value", added to ours), at most `timeout`.
ProgramRun RunProgram(const std::vector<std::string>& argv, const std::vector<std::string>& env = {},
                      core::Duration timeout = std::chrono::seconds(60));

}  // namespace interop
