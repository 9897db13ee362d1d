// chaos_writer: concurrent clients doing random Profile Service API calls across many users,
// for tests/chaos/run.sh. Each client has its own libpq connection and survives the database
// going away (it reconnects). It counts a call as committed only when COMMIT answered OK: a call
// that failed, or whose COMMIT got no answer, is not counted, even though it may have committed.
//
// Every call runs as BEGIN; <API call>; SELECT version of its user; COMMIT. So after a
// confirmed commit the writer knows that user's events up to that version exist. At the end it
// writes "USER_ID VERSION" per user: lower bounds of the events committed, for
// `event-checker --expect FILE --expect-at-least`.
//
// Users live in a fixed number of slots. A deleted user's slot gets a fresh id (the next
// generation), so ids are never re-used and the number of live users stays about the same.
//
//   chaos_writer --db CONNINFO --seconds N [--clients N] [--users N] [--seed N] [--out FILE]
#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) { g_stop.store(true); }

struct Config {
  std::string db;
  int seconds = 60;
  int clients = 8;
  int users = 300;
  std::uint64_t seed = 0;
  std::string out;
  std::string run_id;  // 8 hex digits in every user id, so runs never collide
};

enum class Op { create, update_profile, set_status, add_contact, update_contact, remove_contact, block, unblock,
                remove_user, read };
constexpr int kOps = 10;
const char* op_name(Op op) {
  static const char* names[kOps] = {"create_profile", "update_profile", "set_status",   "add_contact",
                                    "update_contact", "remove_contact", "block_user",   "unblock_user",
                                    "delete_profile", "reads"};
  return names[static_cast<int>(op)];
}

enum class Outcome { committed, rejected, aborted, failed };

struct OpStats {
  std::atomic<std::uint64_t> committed{0}, rejected{0}, aborted{0}, failed{0};
};

// A slot's user: not created yet, being created, exists, being deleted.
enum : int { kNew = 0, kCreating = 1, kExists = 2, kDeleting = 3 };

struct Shared {
  Config config;
  std::unique_ptr<std::atomic<int>[]> state;
  std::unique_ptr<std::atomic<int>[]> generation;
  std::mutex confirmed_mutex;
  std::map<std::string, std::int64_t> confirmed;  // user id -> highest version known committed
  std::array<OpStats, kOps> ops;
  std::atomic<std::uint64_t> connects{0}, connect_failures{0};
  Clock::time_point deadline;

  std::string user_id(int slot, int gen) const {
    char id[37];
    std::snprintf(id, sizeof id, "%s-%04x-4000-8000-%012d", config.run_id.c_str(), gen & 0xffff, slot);
    return id;
  }
  std::string user_id(int slot) const { return user_id(slot, generation[slot].load()); }
};

struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, PgResultDeleter>;

// One client: a connection, a random stream, the calls.
class Client {
 public:
  Client(Shared& shared, int index) : s_(shared), rng_(shared.config.seed * 7919 + static_cast<std::uint64_t>(index)) {}
  ~Client() {
    if (conn_) PQfinish(conn_);
  }

  void run() {
    while (!g_stop.load() && Clock::now() < s_.deadline) {
      if (!connected()) {
        reconnect();
        continue;
      }
      step();
    }
  }

 private:
  bool connected() const { return conn_ && PQstatus(conn_) == CONNECTION_OK; }

  void reconnect() {
    if (conn_) PQfinish(conn_);
    conn_ = PQconnectdb(s_.config.db.c_str());
    if (PQstatus(conn_) == CONNECTION_OK) {
      ++s_.connects;
      // "terminating connection due to immediate shutdown" and the like: expected here.
      PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
      Result r(PQexec(conn_, "SET statement_timeout = '15s'; SET lock_timeout = '10s'"));
      return;
    }
    ++s_.connect_failures;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }

  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool chance(int percent) { return pick(100) < percent; }

  // Another live user, for contacts and blocks.
  std::optional<std::string> other_user(int slot) {
    for (int tries = 0; tries < 8; ++tries) {
      int other = pick(s_.config.users);
      if (other != slot && s_.state[other].load() == kExists) return s_.user_id(other);
    }
    return std::nullopt;
  }

  std::string text(int min_len, int max_len, bool multiline) {
    static const std::vector<std::string> words = {"chat", "hello", "Zoë", "naïve", "李雷", "😀", "über",
                                                   "café", "profile", "x", "ok", "ßtraße", "Ελλάδα"};
    std::string out;
    int target = min_len + pick(max_len - min_len + 1);
    while (static_cast<int>(out.size()) < target) {
      if (!out.empty()) out += (multiline && chance(10)) ? "\n" : " ";
      out += words[pick(static_cast<int>(words.size()))];
    }
    return out;
  }

  void step() {
    int slot = pick(s_.config.users);
    int state = s_.state[slot].load();
    if (state == kNew) {
      int expected = kNew;
      if (s_.state[slot].compare_exchange_strong(expected, kCreating)) create(slot);
      return;
    }
    if (state != kExists) return;
    std::string id = s_.user_id(slot);
    int roll = pick(1000);
    if (roll < 250) update_profile(id);
    else if (roll < 450) set_status(id);
    else if (roll < 600) contact_call(Op::add_contact, id, slot);
    else if (roll < 680) contact_call(Op::update_contact, id, slot);
    else if (roll < 750) contact_call(Op::remove_contact, id, slot);
    else if (roll < 820) contact_call(Op::block, id, slot);
    else if (roll < 880) contact_call(Op::unblock, id, slot);
    else if (roll < 890) remove_user(slot);
    else reads(id);
  }

  // BEGIN; sql; SELECT the user's version; COMMIT (the version read first when version_before).
  // *version gets the version read inside the transaction (0 if the user has no profile row),
  // *first_value the first column of the call's first row.
  Outcome transact(const std::string& sql, const std::vector<std::optional<std::string>>& params,
                   const std::string& user, std::int64_t* version, std::string* first_value = nullptr,
                   bool version_before = false) {
    *version = 0;
    if (!exec_ok("BEGIN")) return Outcome::failed;
    if (version_before && !read_version(user, version)) return finish_failed();
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    Result r(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                          nullptr, 0));
    if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) return finish_failed(r.get());
    if (first_value) *first_value = PQntuples(r.get()) > 0 ? PQgetvalue(r.get(), 0, 0) : "";
    if (!version_before && !read_version(user, version)) return finish_failed();
    if (!exec_ok("COMMIT")) return Outcome::failed;  // no answer: it may have committed; not counted
    return Outcome::committed;
  }

  bool read_version(const std::string& user, std::int64_t* version) {
    const char* p[] = {user.c_str()};
    // Through the API: the writers need no more than an application's rights.
    Result r(PQexecParams(conn_, "SELECT version FROM profile.get_profile($1::uuid)", 1, nullptr, p, nullptr, nullptr,
                          0));
    if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) return false;
    *version = PQntuples(r.get()) > 0 ? std::stoll(PQgetvalue(r.get(), 0, 0)) : 0;
    return true;
  }

  bool exec_ok(const char* sql) {
    Result r(PQexec(conn_, sql));
    return PQresultStatus(r.get()) == PGRES_COMMAND_OK;
  }

  // A failed statement: the contract's errors are rejections, deadlocks and timeouts aborts,
  // anything else (the server went away) a failure.
  Outcome finish_failed(const PGresult* r = nullptr) {
    std::string state;
    if (r) {
      const char* code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
      state = code ? code : "";
    }
    if (connected()) exec_ok("ROLLBACK");
    if (state.size() == 5) {
      std::string cls = state.substr(0, 2);
      if (cls == "22" || cls == "23" || cls == "P0" || cls == "54") return Outcome::rejected;
      if (state == "40P01" || state == "40001" || state == "55P03" || state == "57014") return Outcome::aborted;
    }
    return Outcome::failed;
  }

  void record(Op op, Outcome outcome, const std::string& user, std::int64_t version) {
    OpStats& st = s_.ops[static_cast<int>(op)];
    switch (outcome) {
      case Outcome::committed: {
        ++st.committed;
        if (version > 0) {
          std::lock_guard<std::mutex> lock(s_.confirmed_mutex);
          std::int64_t& c = s_.confirmed[user];
          c = std::max(c, version);
        }
        break;
      }
      case Outcome::rejected: ++st.rejected; break;
      case Outcome::aborted: ++st.aborted; break;
      case Outcome::failed: ++st.failed; break;
    }
  }

  // After a call whose outcome is unknown, ask the database whether the profile exists.
  std::optional<bool> profile_exists(const std::string& user) {
    for (int tries = 0; tries < 50 && !g_stop.load() && Clock::now() < s_.deadline + std::chrono::seconds(30);
         ++tries) {
      if (!connected()) {
        reconnect();
        continue;
      }
      std::int64_t v = 0;
      if (read_version(user, &v)) return v > 0;
    }
    return std::nullopt;
  }

  void create(int slot) {
    std::string id = s_.user_id(slot);
    std::string username = "c" + s_.config.run_id + "_" + std::to_string(slot) + "_" +
                           std::to_string(s_.generation[slot].load());
    std::int64_t version = 0;
    Outcome o = transact("SELECT 1 FROM profile.create_profile($1::uuid, $2, $3, $4)",
                         {id, username, text(1, 40, false), text(0, 120, true)}, id, &version);
    record(Op::create, o, id, version);
    if (o == Outcome::committed) {
      s_.state[slot].store(kExists);
    } else if (o == Outcome::failed) {
      auto exists = profile_exists(id);
      s_.state[slot].store(exists.value_or(true) ? kExists : kNew);  // unknown: later calls find out
    } else {
      s_.state[slot].store(kNew);
    }
  }

  void update_profile(const std::string& id) {
    std::optional<std::string> display, bio;
    if (chance(60)) display = text(1, 40, false);
    if (!display || chance(50)) bio = text(0, 300, true);
    std::int64_t v = 0;
    record(Op::update_profile,
           transact("SELECT 1 FROM profile.update_profile($1::uuid, display_name => $2, bio => $3)", {id, display, bio},
                    id, &v),
           id, v);
  }

  void set_status(const std::string& id) {
    static const char* statuses[] = {"online", "offline", "away", "busy"};
    std::int64_t v = 0;
    record(Op::set_status,
           transact("SELECT 1 FROM profile.set_status($1::uuid, $2::profile.presence)",
                    {id, std::string(statuses[pick(4)])}, id, &v),
           id, v);
  }

  // The calls on the list of `id` about another live user.
  void contact_call(Op op, const std::string& id, int slot) {
    auto other = other_user(slot);
    if (!other) return;
    auto maybe_text = [&](int percent, int max_len, bool multiline) {
      return chance(percent) ? std::optional<std::string>(text(1, max_len, multiline)) : std::nullopt;
    };
    std::string sql;
    std::vector<std::optional<std::string>> params = {id, *other};
    switch (op) {
      case Op::add_contact:
        sql = "SELECT 1 FROM profile.add_contact($1::uuid, $2::uuid, $3, $4::boolean)";
        params.push_back(maybe_text(50, 30, false));
        params.push_back(std::string(chance(20) ? "true" : "false"));
        break;
      case Op::update_contact:
        sql = "SELECT 1 FROM profile.update_contact($1::uuid, $2::uuid, $3, $4::boolean)";
        params.push_back(maybe_text(50, 30, false));
        params.push_back(std::string(chance(50) ? "true" : "false"));
        break;
      case Op::remove_contact: sql = "SELECT profile.remove_contact($1::uuid, $2::uuid)"; break;
      case Op::block:
        sql = "SELECT 1 FROM profile.block_user($1::uuid, $2::uuid, $3)";
        params.push_back(maybe_text(50, 60, true));
        break;
      default: sql = "SELECT profile.unblock_user($1::uuid, $2::uuid)"; break;
    }
    std::int64_t v = 0;
    record(op, transact(sql, params, id, &v), id, v);
  }

  void remove_user(int slot) {
    int expected = kExists;
    if (!s_.state[slot].compare_exchange_strong(expected, kDeleting)) return;
    std::string id = s_.user_id(slot);
    std::int64_t before = 0;
    std::string deleted;
    Outcome o = transact("SELECT profile.delete_profile($1::uuid)", {id}, id, &before, &deleted,
                         /*version_before=*/true);
    // ProfileDeleted comes after the version read before the call (and after the removal events
    // of the user's contacts and blocks): before + 1 is a lower bound.
    record(Op::remove_user, o, id, o == Outcome::committed && deleted == "t" ? before + 1 : 0);
    bool gone = o == Outcome::committed;
    if (o == Outcome::failed) gone = !profile_exists(id).value_or(true);
    if (gone) {
      // The slot's next user gets a fresh id.
      s_.generation[slot].fetch_add(1);
      s_.state[slot].store(kNew);
    } else {
      s_.state[slot].store(kExists);
    }
  }

  void reads(const std::string& id) {
    std::int64_t v = 0;
    const char* sql = chance(50) ? "SELECT count(*) FROM profile.list_contacts($1::uuid)"
                                 : "SELECT count(*) FROM profile.get_profile($1::uuid)";
    record(Op::read, transact(sql, {id}, id, &v), id, v);
  }

  Shared& s_;
  std::mt19937_64 rng_;
  PGconn* conn_ = nullptr;
};

void usage() {
  std::cerr << "usage: chaos_writer --db CONNINFO --seconds N [--clients N] [--users N] [--seed N] [--out FILE]\n"
               "       [--run-id 8HEX]\n"
               "Random API calls from concurrent clients until N seconds have passed; counts only confirmed\n"
               "commits; writes \"USER_ID VERSION\" lower bounds to FILE.\n";
}

bool parse(int argc, char** argv, Config* c) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--db" && (v = value())) c->db = v;
    else if (a == "--seconds" && (v = value())) c->seconds = std::atoi(v);
    else if (a == "--clients" && (v = value())) c->clients = std::atoi(v);
    else if (a == "--users" && (v = value())) c->users = std::atoi(v);
    else if (a == "--seed" && (v = value())) c->seed = std::strtoull(v, nullptr, 10);
    else if (a == "--out" && (v = value())) c->out = v;
    else if (a == "--run-id" && (v = value())) c->run_id = v;
    else return false;
  }
  bool hex_ok = c->run_id.size() == 8 &&
                std::all_of(c->run_id.begin(), c->run_id.end(), [](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)); });
  return !c->db.empty() && c->seconds > 0 && c->seconds <= 24 * 3600 && c->clients > 0 && c->clients <= 64 &&
         c->users >= 2 && c->users <= 1000000 && (c->run_id.empty() || hex_ok);
}

}  // namespace

int main(int argc, char** argv) {
  Shared s;
  if (!parse(argc, argv, &s.config)) {
    usage();
    return 2;
  }
  Config& c = s.config;
  if (c.seed == 0) c.seed = static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
  if (c.run_id.empty()) {
    char buf[9];
    std::snprintf(buf, sizeof buf, "%08llx", static_cast<unsigned long long>(c.seed & 0xffffffffULL));
    c.run_id = buf;
  }
  std::transform(c.run_id.begin(), c.run_id.end(), c.run_id.begin(), [](char ch) { return std::tolower(ch); });
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);

  s.state.reset(new std::atomic<int>[c.users]);
  s.generation.reset(new std::atomic<int>[c.users]);
  for (int i = 0; i < c.users; ++i) {
    s.state[i].store(kNew);
    s.generation[i].store(0);
  }
  auto started = Clock::now();
  s.deadline = started + std::chrono::seconds(c.seconds);

  std::vector<std::thread> threads;
  for (int i = 0; i < c.clients; ++i)
    threads.emplace_back([&s, i] {
      Client client(s, i);
      client.run();
    });
  for (auto& t : threads) t.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - started).count();

  std::uint64_t committed = 0, rejected = 0, aborted = 0, failed = 0;
  for (int i = 0; i < kOps; ++i) {
    const OpStats& st = s.ops[i];
    committed += st.committed;
    rejected += st.rejected;
    aborted += st.aborted;
    failed += st.failed;
    std::printf("writers: %-15s committed %7llu  rejected %6llu  aborted %5llu  failed %5llu\n",
                op_name(static_cast<Op>(i)), static_cast<unsigned long long>(st.committed.load()),
                static_cast<unsigned long long>(st.rejected.load()), static_cast<unsigned long long>(st.aborted.load()),
                static_cast<unsigned long long>(st.failed.load()));
  }
  std::int64_t confirmed_events = 0;
  int users_with_events = 0;
  for (const auto& [id, v] : s.confirmed) {
    confirmed_events += v;
    ++users_with_events;
  }
  if (!c.out.empty()) {
    std::ofstream out(c.out);
    out << "# chaos_writer run " << c.run_id << ": per user, the highest version known committed\n";
    for (const auto& [id, v] : s.confirmed) out << id << " " << v << "\n";
    if (!out) {
      std::cerr << "chaos_writer: cannot write " << c.out << "\n";
      return 1;
    }
  }
  std::printf("writers: run %s, %d clients, %.0f s: %llu calls committed, %llu rejected by the contract, "
              "%llu aborted (deadlock/timeout), %llu failed (database unreachable), %llu connects, "
              "%llu failed connects\n",
              c.run_id.c_str(), c.clients, elapsed, static_cast<unsigned long long>(committed),
              static_cast<unsigned long long>(rejected), static_cast<unsigned long long>(aborted),
              static_cast<unsigned long long>(failed), static_cast<unsigned long long>(s.connects.load()),
              static_cast<unsigned long long>(s.connect_failures.load()));
  std::printf("writers: confirmed_events=%lld users=%d committed_calls=%llu failed_calls=%llu reconnects=%llu\n",
              static_cast<long long>(confirmed_events), users_with_events, static_cast<unsigned long long>(committed),
              static_cast<unsigned long long>(failed),
              static_cast<unsigned long long>(s.connects.load() - std::min<std::uint64_t>(s.connects.load(), c.clients)));
  return 0;
}
