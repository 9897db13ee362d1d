// sd_notify for Type=notify units: READY, STOPPING, STATUS and the watchdog.
// Without NOTIFY_SOCKET (not under systemd) every call does nothing.
#pragma once

#include <chrono>
#include <string>

namespace realchat {

class SystemdNotifier {
 public:
  SystemdNotifier();
  void ready(const std::string& status);
  void stopping();
  void status(const std::string& status);
  // Sends WATCHDOG=1 if half the watchdog interval has passed since the last one.
  void watchdog();
  // How long the main loop may block between watchdog() calls.
  std::chrono::milliseconds max_wait() const { return max_wait_; }

 private:
  std::chrono::microseconds interval_{0};
  std::chrono::steady_clock::time_point last_ping_{};
  std::chrono::milliseconds max_wait_{1000};
  std::string last_status_;
};

}  // namespace realchat
