// progress.cpp - the status line of long passes (see progress.h).
#include "driver/progress.h"

#include <cstdio>

namespace gradc {

Progress::Progress(Style style, std::chrono::milliseconds after) : style_(style), after_(after) {
  thread_ = std::thread([this] { tick(); });
}

Progress::~Progress() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    end_locked();
    quit_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Progress::phase(const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  end_locked();
  active_ = true;
  phase_ = name;
  step_.clear();
  begin_ = Clock::now();
  if (after_.count() == 0) draw_locked(begin_);  // shown at once: no thread timing
}

void Progress::step(const std::string& what) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!active_) return;
  step_ = what;
  Clock::time_point now = Clock::now();
  if (shown_ || now - begin_ >= after_) draw_locked(now);
}

void Progress::end() {
  std::lock_guard<std::mutex> lock(mutex_);
  end_locked();
}

void Progress::draw_locked(Clock::time_point now) {
  const long seconds = long(std::chrono::duration<double>(now - begin_).count());
  const std::string what = step_.empty() ? phase_ : phase_ + ": " + step_;
  if (style_ == Style::Terminal) {
    // \r and "erase to the end of the line" (ANSI EL): the line is redrawn in place.
    std::fprintf(stderr, "\rgradc: %s... %ld s\x1b[K", what.c_str(), seconds);
  } else if (!shown_ || drawn_step_ != step_) {
    std::fprintf(stderr, "gradc: %s...\n", what.c_str());
  }
  std::fflush(stderr);
  shown_ = true;
  drawn_step_ = step_;
}

void Progress::end_locked() {
  if (!active_) return;
  if (shown_) {
    const double seconds = std::chrono::duration<double>(Clock::now() - begin_).count();
    std::fprintf(stderr, "%sgradc: %s took %.1f s\n", style_ == Style::Terminal ? "\r\x1b[K" : "",
                 phase_.c_str(), seconds);
    std::fflush(stderr);
  }
  active_ = shown_ = false;
}

void Progress::tick() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!quit_) {
    wake_.wait_for(lock, std::chrono::milliseconds(250));
    if (quit_ || !active_) continue;
    // A terminal's line counts the seconds; a log gets a line per step
    // (draw_locked writes none for a step already written).
    Clock::time_point now = Clock::now();
    if (now - begin_ >= after_) draw_locked(now);
  }
}

}  // namespace gradc
