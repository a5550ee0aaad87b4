// progress.h - a status line on standard error while a long pass runs.
//
// Nothing is shown for a pass that ends within `after` (1 s by default), so
// small programs print exactly what they printed before. A pass that runs
// longer gets a line naming it and what it is doing,
//   gradc: emit-obj: generating machine code... 12 s
// redrawn in place every second on a terminal (Style::Terminal), or written
// once per step for a log (Style::Lines), and, when it ends, its time:
//   gradc: emit-obj took 47.4 s
// A helper thread draws the line; it writes through stdio's stderr, which is
// safe next to the main thread's std::cerr (synchronized standard streams).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace gradc {

class Progress {
 public:
  enum class Style { Terminal, Lines };
  Progress(Style style, std::chrono::milliseconds after);
  ~Progress();  ///< ends the pass and stops the thread
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  /// Pass `name` starts (ending the one before).
  void phase(const std::string& name);
  /// What the current pass does now ("generating machine code").
  void step(const std::string& what);
  /// The current pass ended.
  void end();

 private:
  using Clock = std::chrono::steady_clock;
  void draw_locked(Clock::time_point now);  // mutex_ held
  void end_locked();
  void tick();  // the thread

  const Style style_;
  const std::chrono::milliseconds after_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread thread_;
  bool quit_ = false;
  bool active_ = false;  // a pass is running
  bool shown_ = false;   // ... and its line has been drawn
  std::string phase_, step_, drawn_step_;
  Clock::time_point begin_;
};

}  // namespace gradc
