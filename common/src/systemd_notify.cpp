#include "systemd_notify.h"

#include <systemd/sd-daemon.h>

#include <algorithm>
#include <cstdint>

namespace realchat {

SystemdNotifier::SystemdNotifier() {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    interval_ = std::chrono::microseconds(usec / 2);
    max_wait_ = std::min(max_wait_, std::chrono::duration_cast<std::chrono::milliseconds>(interval_));
  }
}

void SystemdNotifier::ready(const std::string& status) {
  last_status_ = status;
  sd_notifyf(0, "READY=1\nSTATUS=%s", status.c_str());
}

void SystemdNotifier::stopping() { sd_notify(0, "STOPPING=1\nSTATUS=stopping: flushing in-flight deliveries"); }

void SystemdNotifier::status(const std::string& status) {
  if (status == last_status_) return;
  last_status_ = status;
  sd_notifyf(0, "STATUS=%s", status.c_str());
}

void SystemdNotifier::watchdog() {
  if (interval_.count() == 0) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_ping_ >= interval_) {
    sd_notify(0, "WATCHDOG=1");
    last_ping_ = now;
  }
}

}  // namespace realchat
