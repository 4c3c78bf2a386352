#include "interop/external_program.h"

#include <signal.h>
#include <unistd.h>

#include <iostream>
#include <thread>
#include <utility>

#include "support/http_client.h"
#include "support/process.h"
#include "support/temp_dir.h"

namespace interop {
namespace {

constexpr size_t kLogShown = 8 * 1024;
constexpr auto kKillTimeout = std::chrono::seconds(10);
constexpr auto kPollInterval = std::chrono::milliseconds(100);

std::string Tail(std::string text) {
  if (text.size() > kLogShown) text = "...\n" + text.substr(text.size() - kLogShown);
  return text;
}

}  // namespace

::testing::AssertionResult Installed(const std::string& path) {
  if (access(path.c_str(), X_OK) == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << path << " is missing: run `make setup` (it installs the prometheus and prometheus-alertmanager "
         << "packages tools/packages.txt lists)";
}

ExternalProgram::ExternalProgram(std::string name, std::filesystem::path log_dir)
    : name_(std::move(name)),
      stdout_path_(log_dir / (name_ + ".stdout.log")),
      stderr_path_(log_dir / (name_ + ".stderr.log")) {}

ExternalProgram::~ExternalProgram() {
  Kill();
  if (::testing::Test::HasFailure() && exit_status_.has_value()) {
    std::cerr << "---- " << name_ << " (exit status " << *exit_status_ << ") ----\n"
              << Logs() << "---- end of " << name_ << " ----\n";
  }
}

core::Status ExternalProgram::Start(const std::vector<std::string>& argv) {
  INCIDENTD_CHECK(!pid_);
  test_support::SpawnOptions options;
  options.argv = argv;
  options.stdout_path = stdout_path_.string();
  options.stderr_path = stderr_path_.string();
  auto pid = test_support::Spawn(options);
  if (!pid.ok()) return pid.error().WithContext("start " + name_);
  pid_ = *pid;
  exit_status_.reset();
  return core::Ok();
}

core::Status ExternalProgram::WaitForHttp(uint16_t port, const std::string& target, core::Duration timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  test_support::HttpClient client(port);
  client.set_timeout(std::chrono::seconds(5));
  std::string last = "no answer";
  for (;;) {
    auto response = client.Get(target);
    if (response.ok() && response->status == 200) return core::Ok();
    if (response.ok()) {
      last = "HTTP " + std::to_string(response->status) + " " + response->body.substr(0, 200);
    } else {
      last = response.error().message;
      client.Close();
    }
    if (!running()) {
      return core::Unavailable(name_ + " exited with status " + std::to_string(exit_status_.value_or(-1)) +
                               " before GET " + target + " answered 200; its logs:\n" + Logs());
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return core::Unavailable(name_ + ": GET 127.0.0.1:" + std::to_string(port) + target + " did not answer 200 in " +
                               core::FormatDuration(timeout) + " (last: " + last + "); its logs:\n" + Logs());
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

void ExternalProgram::Signal(int signal_number) {
  if (pid_) kill(*pid_, signal_number);
}

void ExternalProgram::Kill() {
  if (!pid_) return;
  kill(*pid_, SIGKILL);
  auto status = test_support::WaitFor(*pid_, kKillTimeout);
  INCIDENTD_CHECK(status.has_value());  // SIGKILL cannot be ignored
  exit_status_ = status;
  pid_.reset();
}

bool ExternalProgram::running() {
  if (!pid_) return false;
  if (auto status = test_support::TryWait(*pid_)) {
    exit_status_ = status;
    pid_.reset();
    return false;
  }
  return true;
}

std::string ExternalProgram::Logs() const {
  return "[" + name_ + " stderr]\n" + Tail(test_support::ReadFile(stderr_path_.string())) + "\n[" + name_ +
         " stdout]\n" + Tail(test_support::ReadFile(stdout_path_.string())) + "\n";
}

std::string ProgramRun::Describe() const {
  return "exit " + std::to_string(exit_code) + "\nstdout:\n" + out + "\nstderr:\n" + err;
}

ProgramRun RunProgram(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                      core::Duration timeout) {
  test_support::TempDir dir;
  test_support::SpawnOptions options;
  options.argv = argv;
  options.env = env;
  options.stdout_path = (dir.path() / "stdout").string();
  options.stderr_path = (dir.path() / "stderr").string();

  ProgramRun run;
  auto pid = test_support::Spawn(options);
  if (!pid.ok()) {
    run.err = pid.error().message;
    return run;
  }
  auto status = test_support::WaitFor(*pid, timeout);
  if (!status) {
    kill(*pid, SIGKILL);
    test_support::WaitFor(*pid, kKillTimeout);
  }
  run.exit_code = status.value_or(-1);
  run.out = test_support::ReadFile(options.stdout_path);
  run.err = test_support::ReadFile(options.stderr_path);
  if (!status) run.err += "\n(killed after " + core::FormatDuration(timeout) + ")";
  return run;
}

}  // namespace interop
