// Read throughput and server CPU per read of the read cache against get_profile (bench/cache.sh).
//
//   cache_bench --db CONNINFO --redis HOST:PORT --users N --clients C --seconds S --mode MODE
//               --redis-pid PID --postmaster-pid PID
//
// MODE: warm    fill every user once (then exits; --seconds is ignored)
//       cached  the read helper, every read a Redis hit (after warm)
//       sql     get_profile in PostgreSQL, the same (user, viewer) pairs
//       miss    the helper after deleting the user's keys: Redis miss, SQL read, fill, Redis read
//       sqlone  get_profile without a viewer (the miss path's SQL-only counterpart)
// Prints one line: mode clients reads reads_per_s redis_cpu_us_per_read postgres_cpu_us_per_read
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <dirent.h>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cache_keys.h"
#include "profile_reader.h"

namespace {

std::string uid(int i) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012x", i);
  return buf;
}

// /proc/PID/stat, or "" if the process is gone (backends come and go while we read).
std::string read_stat(int pid) {
  std::string path = "/proc/" + std::to_string(pid) + "/stat";
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return "";
  char buf[1024];
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  return std::string(buf, n);
}

// utime + stime of one process, in clock ticks (0 if gone).
long long cpu_ticks(int pid) {
  std::string stat = read_stat(pid);
  auto close = stat.rfind(')');
  if (close == std::string::npos || close + 2 > stat.size()) return 0;
  std::istringstream rest(stat.substr(close + 2));
  std::string field;
  long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::atoll(field.c_str());
    if (i == 15) stime = std::atoll(field.c_str());
  }
  return utime + stime;
}

// The postmaster and its children (backends and auxiliary processes).
long long cluster_ticks(int postmaster) {
  long long total = cpu_ticks(postmaster);
  DIR* d = opendir("/proc");
  while (dirent* e = readdir(d)) {
    int pid = std::atoi(e->d_name);
    if (pid <= 0) continue;
    std::string stat = read_stat(pid);
    auto close = stat.rfind(')');
    if (close == std::string::npos || close + 2 > stat.size()) continue;
    std::istringstream rest(stat.substr(close + 2));
    std::string state, ppid;
    rest >> state >> ppid;
    if (std::atoi(ppid.c_str()) == postmaster) total += cpu_ticks(pid);
  }
  closedir(d);
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> a;
  for (int i = 1; i + 1 < argc; i += 2) a[argv[i]] = argv[i + 1];
  const std::string mode = a["--mode"], addr = a["--redis"];
  const int users = std::stoi(a["--users"]), clients = std::stoi(a["--clients"]);
  const int seconds = std::stoi(a["--seconds"]);
  const int redis_pid = std::stoi(a["--redis-pid"]), postmaster = std::stoi(a["--postmaster-pid"]);
  const std::string host = addr.substr(0, addr.rfind(':'));
  const int port = std::stoi(addr.substr(addr.rfind(':') + 1));

  std::atomic<bool> go{false}, stop{false};
  std::atomic<long long> reads{0}, failures{0};
  std::vector<std::thread> threads;
  std::atomic<int> ready{0};
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      PGconn* db = PQconnectdb(a["--db"].c_str());
      realchat::RedisClient redis(host, port, std::chrono::milliseconds(2000));
      realchat::ProfileReader reader(redis, db);
      std::mt19937_64 rng(static_cast<unsigned long>(c) * 7919 + 1);
      std::string error;
      ready++;
      while (!go) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      long long n = 0, bad = 0;
      if (mode == "warm") {
        for (int i = c + 1; i <= users; i += clients) bad += !reader.fill(uid(i));
        n = users / clients;
        stop = true;
      }
      while (!stop) {
        std::string user = uid(static_cast<int>(rng() % static_cast<unsigned>(users)) + 1);
        std::string viewer = uid(static_cast<int>(rng() % static_cast<unsigned>(users)) + 1);
        if (mode == "cached") {
          bad += !reader.get(user, viewer).has_value();
        } else if (mode == "miss") {
          auto k = realchat::cache_keys(user);
          redis.command({"DEL", k.profile, k.contacts, k.blocks}, &error);
          bad += !reader.get(user, "").has_value();
        } else {
          const char* values[2] = {user.c_str(), mode == "sql" ? viewer.c_str() : nullptr};
          PGresult* r = PQexecParams(db, realchat::kGetProfileSql, 2, nullptr, values, nullptr, nullptr, 0);
          bad += PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1;
          PQclear(r);
        }
        ++n;
      }
      reads += n;
      failures += bad;
      PQfinish(db);
    });
  }
  while (ready < clients) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  long long redis0 = cpu_ticks(redis_pid), pg0 = cluster_ticks(postmaster);
  auto t0 = std::chrono::steady_clock::now();
  go = true;
  if (mode == "warm") {
    for (auto& t : threads) t.join();
    std::printf("warm %d users%s\n", users, failures ? " (some fills failed)" : "");
    return failures ? 1 : 0;
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop = true;
  long long redis1 = cpu_ticks(redis_pid), pg1 = cluster_ticks(postmaster);
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (auto& t : threads) t.join();
  double tick_us = 1e6 / static_cast<double>(sysconf(_SC_CLK_TCK));
  double n = static_cast<double>(reads.load());
  std::printf("%s %d %lld %.0f %.1f %.1f%s\n", mode.c_str(), clients, reads.load(), n / elapsed,
              static_cast<double>(redis1 - redis0) * tick_us / n, static_cast<double>(pg1 - pg0) * tick_us / n,
              failures ? " (some reads failed)" : "");
  return failures ? 1 : 0;
}
