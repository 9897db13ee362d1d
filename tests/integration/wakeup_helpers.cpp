#include "wakeup_helpers.h"

#include <fstream>
#include <stdexcept>

using namespace std::chrono_literals;

std::string make_user(PgSession& db) {
  std::string id = random_uuid();
  db.query("SELECT profile.create_profile($1, $2, 'Wake Test')", {id, "w" + id.substr(0, 8) + id.substr(9, 4)});
  return id;
}

void mark_all_published(PgSession& db) {
  db.query("UPDATE profile.outbox SET published_at = now() WHERE published_at IS NULL");
}

long notifies_sent(PgSession& db) { return std::stol(db.scalar("SELECT notifies_sent FROM profile.wakeup_stats()")); }

int drain_notifications(PgSession& db, std::chrono::milliseconds quiet) {
  int n = 0;
  while (db.wait_notify(quiet)) n++;
  return n;
}

std::string conninfo_for_database(const std::string& name) {
  // In a keyword/value string the last dbname wins.
  return test_conninfo() + " dbname=" + name;
}

ScratchDatabase::ScratchDatabase(PgSession& admin, std::string name) : admin_(admin), name_(std::move(name)) {
  admin_.query("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  admin_.query("CREATE DATABASE " + name_);
  PgSession db(conninfo());
  db.query("CREATE EXTENSION realchat_profile CASCADE");
}

ScratchDatabase::~ScratchDatabase() { admin_.try_exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)"); }

StuckCommits::StuckCommits(PgSession& admin) : admin_(admin) {
  admin_.query("ALTER SYSTEM SET synchronous_commit = 'local'");
  admin_.query("ALTER SYSTEM SET synchronous_standby_names = 'realchat_test_no_such_standby'");
  admin_.query("SELECT pg_reload_conf()");
  for (int i = 0; i < 100; i++) {
    PgSession probe(test_conninfo());
    if (probe.scalar("SHOW synchronous_standby_names") == "realchat_test_no_such_standby") return;
    std::this_thread::sleep_for(20ms);
  }
  throw std::runtime_error("the configuration reload did not take effect");
}

StuckCommits::~StuckCommits() {
  admin_.try_exec("ALTER SYSTEM RESET synchronous_standby_names");
  admin_.try_exec("ALTER SYSTEM RESET synchronous_commit");
  admin_.try_exec("SELECT pg_reload_conf()");
}

StuckWriter::StuckWriter(PgSession& admin, const std::string& conninfo, const std::string& user)
    : admin_(admin), writer_(conninfo) {
  pid_ = writer_.scalar("SELECT pg_backend_pid()");
  writer_.query("SET synchronous_commit = on");
  thread_ = std::thread([this, user] { writer_.try_exec("SELECT profile.set_status($1, 'busy')", {user}); });
  // Bounded: 250 looks, 5 s.
  for (int i = 0; i < 250 && !stuck_; i++) {
    stuck_ = admin_.scalar("SELECT coalesce(wait_event, '') FROM pg_stat_activity WHERE pid = $1", {pid_}) == "SyncRep";
    if (!stuck_) std::this_thread::sleep_for(20ms);
  }
  if (!stuck_) release();
}

StuckWriter::~StuckWriter() { release(); }

void StuckWriter::release() {
  if (!thread_.joinable()) return;
  admin_.try_exec("SELECT pg_cancel_backend($1)", {pid_});
  thread_.join();
}

std::optional<long> voluntary_context_switches(const std::string& pid) {
  std::ifstream comm("/proc/" + pid + "/comm");
  std::string name;
  if (!std::getline(comm, name) || name != "postgres") return std::nullopt;
  std::ifstream status("/proc/" + pid + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("voluntary_ctxt_switches:", 0) == 0) return std::stol(line.substr(line.find(':') + 1));
  return std::nullopt;
}
