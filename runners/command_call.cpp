#include "runners/command_call.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include <csignal>
#include <memory>
#include <optional>

#include "runners/boost_process.hpp"
#include "runners/child_setup.hpp"
#include "runners/program_lookup.hpp"
#include "runners/unique_fd.hpp"

extern char** environ;

namespace rungs::runners {
namespace {

namespace asio = boost::asio;
namespace bp = boost::process::v2;
using Process = bp::basic_process<asio::io_context::executor_type>;

// One call in flight: kept alive by the handlers until the last of (stdout EOF, stderr EOF,
// exit) has happened.
struct Call : std::enable_shared_from_this<Call> {
  Call(asio::io_context& io, std::function<void(CommandResult)> done)
      : out(io), err(io), timer(io), done(std::move(done)) {}

  asio::readable_pipe out, err;
  asio::steady_timer timer;
  std::optional<Process> process;
  std::function<void(CommandResult)> done;
  CommandResult result;
  int pending = 3;
  bool exited = false;  // reaped: its pid may belong to someone else now

  void read(asio::readable_pipe& pipe, std::string& into) {
    asio::async_read(pipe, asio::dynamic_buffer(into),
                     [self = shared_from_this()](const boost::system::error_code&, std::size_t) { self->one_done(); });
  }
  void one_done() {
    if (--pending > 0) return;
    timer.cancel();
    auto callback = std::move(done);
    callback(std::move(result));
  }
};

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

std::string CommandResult::message() const {
  if (auto text = trimmed(err); !text.empty()) {
    for (auto& c : text) c = c == '\n' ? ';' : c;  // one line for a log or an error message
    return text;
  }
  if (!error.empty()) return error;
  return fmt::format("exited with code {}", exit_code);
}

std::vector<std::string> environment_with(const std::vector<std::string>& overrides) {
  std::vector<std::string> env = overrides;
  auto name_of = [](const std::string& entry) { return entry.substr(0, entry.find('=')); };
  for (char** entry = environ; entry && *entry; ++entry) {
    const std::string text(*entry);
    bool overridden = false;
    for (const auto& mine : overrides) overridden = overridden || name_of(mine) == name_of(text);
    if (!overridden) env.push_back(text);
  }
  return env;
}

void call_command(asio::io_context& io, const std::vector<std::string>& argv, const std::vector<std::string>& env,
                  std::chrono::milliseconds deadline, std::function<void(CommandResult)> done) {
  auto call = std::make_shared<Call>(io, std::move(done));
  auto fail = [&](std::string why) {
    call->result.error = std::move(why);
    asio::post(io, [call] {
      auto callback = std::move(call->done);
      callback(std::move(call->result));
    });
  };
  std::filesystem::path executable;
  try {
    executable = resolve_program(argv.at(0), {});
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  int out_fds[2], err_fds[2];
  if (::pipe2(out_fds, O_CLOEXEC) != 0) return fail(fmt::format("pipe: {}", errno_text(errno)));
  UniqueFd out_read(out_fds[0]), out_write(out_fds[1]);
  if (::pipe2(err_fds, O_CLOEXEC) != 0) return fail(fmt::format("pipe: {}", errno_text(errno)));
  UniqueFd err_read(err_fds[0]), err_write(err_fds[1]);
  UniqueFd null_in(::open("/dev/null", O_RDONLY | O_CLOEXEC));

  std::vector<const char*> argv_pointers, env_pointers;
  for (const auto& arg : argv) argv_pointers.push_back(arg.c_str());
  argv_pointers.push_back(nullptr);
  for (const auto& entry : env) env_pointers.push_back(entry.c_str());
  env_pointers.push_back(nullptr);
  ChildSetup setup{::getpid(), argv_pointers.data(), env_pointers.data(), nullptr,
                   null_in.get(), out_write.get(), err_write.get()};
  bp::posix::default_launcher launcher;
  bp::error_code ec;
  auto process = launcher(io.get_executor(), ec, executable, const_cast<const char**>(argv_pointers.data()), setup);
  if (ec) {
    if (launcher.pid > 0) ::waitpid(launcher.pid, nullptr, 0);  // the failed child has _exit()ed
    return fail(child_failure(ec.value(), argv.at(0), {}));
  }
  call->process.emplace(std::move(process));
  call->result.ran = true;
  out_write.reset();
  err_write.reset();
  call->out.assign(out_read.release());
  call->err.assign(err_read.release());
  call->read(call->out, call->result.out);
  call->read(call->err, call->result.err);
  call->process->async_wait([call](const bp::error_code& wait_error, int) {
    call->exited = true;
    const int status = call->process->native_exit_code();
    // Reaped: basic_process' destructor must not waitpid/SIGKILL a number that may be reused.
    call->process->detach();
    if (wait_error) call->result.error = fmt::format("cannot collect its exit status: {}", wait_error.message());
    else if (WIFEXITED(status)) call->result.exit_code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status)) call->result.error = fmt::format("killed by signal {}", WTERMSIG(status));
    call->one_done();
  });
  call->timer.expires_after(deadline);
  call->timer.async_wait([call, deadline](const boost::system::error_code& timer_error) {
    if (timer_error || call->exited) return;
    // Still our unreaped child (the wait has not completed): the pid cannot have been reused.
    ::kill(call->process->id(), SIGKILL);
    call->result.timed_out = true;
    call->result.error = fmt::format("no answer within {} s", deadline.count() / 1000.0);
  });
}

CommandResult call_command_sync(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                                std::chrono::milliseconds deadline) {
  asio::io_context io;
  CommandResult result;
  call_command(io, argv, env, deadline, [&](CommandResult r) { result = std::move(r); });
  io.run();
  return result;
}

}  // namespace rungs::runners
