// output_files.cpp - atomic writes of gradc's output files: temporaries
// beside the targets, removed by a signal handler if the run is stopped,
// renamed together with signals held back.
#include "driver/output_files.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iterator>

namespace gradc {

namespace fs = std::filesystem;

namespace {

// ---- temporaries a signal removes ---------------------------------------
// The handler may only call async-signal-safe functions, so the paths live
// in fixed arrays written before the handler can need them.

constexpr int kMaxTemporaries = 8;
// Every signal whose default action ends the process that a user or the
// system sends to stop it (a CPU-time limit, a timer, a closed pipe), not
// the ones that report a bug (SIGSEGV, SIGABRT). SIGXFSZ is ignored
// (main.cpp): a file-size limit makes the write fail, which is reported.
constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP,  SIGQUIT, SIGPIPE,
                                SIGALRM, SIGUSR1, SIGUSR2, SIGXCPU};
constexpr size_t kStopSignalCount = std::size(kStopSignals);
char g_temporaries[kMaxTemporaries][PATH_MAX];
volatile sig_atomic_t g_temporary_count = 0;

extern "C" void remove_temporaries_and_stop(int sig) {
  for (int i = 0; i < g_temporary_count; ++i) ::unlink(g_temporaries[i]);
  ::signal(sig, SIG_DFL);  // then die of the signal, as without the handler
  ::raise(sig);
}

/// Installs the handler while it lives, and restores what was there.
class StopSignalGuard {
 public:
  StopSignalGuard() {
    struct sigaction action {};
    action.sa_handler = remove_temporaries_and_stop;
    sigemptyset(&action.sa_mask);
    for (int sig : kStopSignals) sigaddset(&action.sa_mask, sig);
    // A signal the caller ignores (nohup, a shell's &) stays ignored, and
    // one a host program handles (the JIT runtime's callers) stays theirs.
    for (size_t i = 0; i < kStopSignalCount; ++i) {
      ::sigaction(kStopSignals[i], nullptr, &previous_[i]);
      const bool default_action =
          !(previous_[i].sa_flags & SA_SIGINFO) && previous_[i].sa_handler == SIG_DFL;
      if (default_action) ::sigaction(kStopSignals[i], &action, nullptr);
    }
  }
  ~StopSignalGuard() {
    g_temporary_count = 0;
    for (size_t i = 0; i < kStopSignalCount; ++i)
      ::sigaction(kStopSignals[i], &previous_[i], nullptr);
  }
  StopSignalGuard(const StopSignalGuard&) = delete;
  StopSignalGuard& operator=(const StopSignalGuard&) = delete;

 private:
  struct sigaction previous_[kStopSignalCount];
};

/// Holds the stop signals back while it lives (they arrive after).
class HoldStopSignals {
 public:
  HoldStopSignals() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : kStopSignals) sigaddset(&set, sig);
    ::sigprocmask(SIG_BLOCK, &set, &previous_);
  }
  ~HoldStopSignals() { ::sigprocmask(SIG_SETMASK, &previous_, nullptr); }
  HoldStopSignals(const HoldStopSignals&) = delete;
  HoldStopSignals& operator=(const HoldStopSignals&) = delete;

 private:
  sigset_t previous_;
};

/// Record `path` for the handler (before the file exists). Without room, or
/// for a path too long, it is written unprotected.
void register_temporary(const std::string& path) {
  if (g_temporary_count >= kMaxTemporaries || path.size() >= PATH_MAX) return;
  std::memcpy(g_temporaries[g_temporary_count], path.c_str(), path.size() + 1);
  g_temporary_count = g_temporary_count + 1;
}

// ---- files ---------------------------------------------------------------

// The file a path names: symbolic links followed, so a link's target is
// replaced rather than the link. An existing target by realpath; a link to
// a file not made yet by reading the links (at most 40, as the kernel does).
fs::path resolve_links(fs::path path) {
  std::error_code ec;
  if (!fs::is_symlink(fs::symlink_status(path, ec))) return path;
  if (fs::path real = fs::canonical(path, ec); !ec) return real;
  for (int hops = 0; hops < 40 && fs::is_symlink(fs::symlink_status(path, ec)); ++hops) {
    fs::path target = fs::read_symlink(path, ec);
    if (ec) break;
    path = target.is_absolute() ? target : path.parent_path() / target;
  }
  return path;
}

// The name of `path`'s temporaries before the process id: `NAME.gradc-tmp-`.
// Where that would make a name longer than the file system's 255 bytes
// (NAME_MAX), NAME is cut and the FNV-1a hash of the whole name follows,
// so a legal name always gets a legal temporary, the same every time.
std::string temporary_prefix(const fs::path& path) {
  constexpr size_t kNameMax = 255, kPidDigits = 10;
  const std::string name = path.filename().string(), tail = ".gradc-tmp-";
  if (name.size() + tail.size() + kPidDigits <= kNameMax) return name + tail;
  uint64_t hash = 14695981039346656037ULL;
  for (unsigned char ch : name) hash = (hash ^ ch) * 1099511628211ULL;
  const std::string id = fmt::format("-{:016x}", hash);
  return name.substr(0, kNameMax - tail.size() - kPidDigits - id.size()) + id + tail;
}

// Temporary files `PATH.gradc-tmp-PID` left by a gradc that was killed:
// removed when their process no longer runs, unless one is a file in `keep`.
void remove_stale_temporaries(const fs::path& path, const std::vector<std::string>& keep) {
  std::error_code ec;
  fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  std::string prefix = temporary_prefix(path);
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    char* stop = nullptr;
    long pid = std::strtol(name.c_str() + prefix.size(), &stop, 10);
    if (pid <= 0 || *stop != '\0' || ::kill(pid_t(pid), 0) == 0 || errno != ESRCH) continue;
    bool kept = false;
    for (const std::string& k : keep) {
      std::error_code eq;
      kept = kept || fs::equivalent(it->path(), k, eq);
    }
    if (!kept) fs::remove(it->path(), ec);
  }
}

// Write `text` to the open `fd` and close it; "" or the reason, naming `path`.
std::string write_and_close(int fd, const std::string& path, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string e = fmt::format("cannot write '{}': {}", path, std::strerror(n < 0 ? errno : EIO));
      ::close(fd);
      return e;
    }
    done += size_t(n);
  }
  if (::close(fd) != 0) return fmt::format("cannot write '{}': {}", path, std::strerror(errno));
  return "";
}

// Write `text` to a new file `tmp` with POSIX calls, so a failure has its errno.
std::string write_temporary(const std::string& tmp, const std::string& path,
                            const std::string& text) {
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return fmt::format("cannot write '{}': {}", path, std::strerror(errno));
  return write_and_close(fd, path, text);
}

// Write `text` into `path` itself: a device, pipe or terminal.
std::string write_in_place(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return fmt::format("cannot write '{}': {}", path, std::strerror(errno));
  return write_and_close(fd, path, text);
}

}  // namespace

std::string write_files_atomically(const std::vector<std::pair<std::string, std::string>>& files,
                                   const std::vector<std::string>& keep) {
  StopSignalGuard guard;
  std::vector<std::string> temps, targets, names;  // for the files that are replaced
  std::vector<size_t> in_place;             // the files written directly
  auto discard = [&] {
    g_temporary_count = 0;
    std::error_code ec;
    for (const std::string& t : temps) fs::remove(t, ec);
  };
  for (size_t i = 0; i < files.size(); ++i) {  // every file complete before any is replaced
    const auto& [path, text] = files[i];
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      discard();
      return fmt::format("cannot write '{}': {}", path, std::strerror(EISDIR));
    }
    if (is_special_file(path)) {  // the kernel follows the links (also /proc/self/fd/1)
      in_place.push_back(i);
      continue;
    }
    fs::path target = resolve_links(path);
    remove_stale_temporaries(target, keep);
    temps.push_back((target.parent_path() / (temporary_prefix(target) + std::to_string(::getpid())))
                        .string());
    targets.push_back(target.string());
    names.push_back(path);
    register_temporary(temps.back());
    if (std::string e = write_temporary(temps.back(), path, text); !e.empty()) {
      discard();
      return e;
    }
  }
  for (size_t i : in_place) {
    if (std::string e = write_in_place(files[i].first, files[i].second); !e.empty()) {
      discard();
      return e;
    }
  }
  HoldStopSignals hold;  // all renames or none: a signal waits for the last
  for (size_t i = 0; i < temps.size(); ++i) {
    std::error_code ec;
    fs::rename(temps[i], targets[i], ec);
    if (ec) {
      discard();
      return fmt::format("cannot write '{}': {}", names[i], ec.message());
    }
  }
  g_temporary_count = 0;  // renamed: nothing left for the handler to remove
  return "";
}

bool is_special_file(const std::string& path) {
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);  // follows links
  return fs::exists(st) && !fs::is_regular_file(st) && !fs::is_directory(st);
}

bool is_standard_output(const std::string& path) {
  if (path == "-") return true;
  struct stat named {}, out {};
  return ::stat(path.c_str(), &named) == 0 && ::fstat(STDOUT_FILENO, &out) == 0 &&
         named.st_dev == out.st_dev && named.st_ino == out.st_ino;
}

std::string write_file_atomically(const std::string& path, const std::string& text,
                                  const std::vector<std::string>& keep) {
  return write_files_atomically({{path, text}}, keep);
}

}  // namespace gradc
