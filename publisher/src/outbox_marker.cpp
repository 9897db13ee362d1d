#include "outbox_marker.h"

#include <algorithm>
#include <cstring>

#include "outbox_db.h"

namespace publisher {

namespace {
constexpr const char* kMark =
    "UPDATE profile.outbox SET published_at = now() WHERE id = ANY ($1::bigint[]) AND published_at IS NULL";
constexpr const char* kQuarantine =
    "UPDATE profile.outbox SET quarantined_at = now(), last_error = $2"
    " WHERE id = $1 AND published_at IS NULL AND quarantined_at IS NULL";
constexpr std::size_t kMaxMergedIds = 10000;

}  // namespace

void OutboxMarker::connect() {
  disconnect();
  conn_ = open_connection(conninfo_, "profile-publisher marker");
  // A lost mark only means the row is published again (a duplicate that
  // consumers drop by event_id): marks need not wait for the WAL flush.
  // Generic plans by primary key, as on the main connection (outbox_db.cpp).
  PgResultPtr r(PQexec(conn_, "SET synchronous_commit = off; SET statement_timeout = '60s';"
                          " SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off"));
  if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) fail("setting up the marker session");
  for (auto [name, sql] : {std::pair{"mark", kMark}, std::pair{"quarantine", kQuarantine}}) {
    PgResultPtr p(PQprepare(conn_, name, sql, 0, nullptr));
    if (PQresultStatus(p.get()) != PGRES_COMMAND_OK) fail(std::string("preparing ") + name);
  }
  if (PQsetnonblocking(conn_, 1) != 0) fail("setting non-blocking mode");
}

void OutboxMarker::disconnect() {
  if (conn_) PQfinish(conn_);
  conn_ = nullptr;
  jobs_.clear();
  quarantined_.clear();
  rows_ = 0;
  busy_ = false;
}

void OutboxMarker::fail(const std::string& what) {
  std::string message = what + ": " + (conn_ ? PQerrorMessage(conn_) : "not connected");
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  disconnect();
  throw DbError(message, false);
}

void OutboxMarker::mark_published(std::vector<std::int64_t> ids) {
  rows_ += ids.size();
  if (!ids.empty()) jobs_.push_back(Job{std::move(ids), 0, {}});
}

bool OutboxMarker::marking(std::int64_t id) const {
  for (const Job& job : jobs_)
    if (!job.ids.empty() && id >= job.ids.front() && id <= job.ids.back() &&
        std::binary_search(job.ids.begin(), job.ids.end(), id))
      return true;
  return false;
}

void OutboxMarker::quarantine(const QuarantinedRow& row) { jobs_.push_back(Job{{}, row.id, row.error}); }

// Marks that queued up while the previous UPDATE ran go out as one: at a
// low rate every acknowledgement would otherwise cost a statement of its own.
void OutboxMarker::merge_waiting_marks() {
  if (jobs_.front().ids.empty()) return;
  while (jobs_.size() > 1 && !jobs_[1].ids.empty() && jobs_[0].ids.size() + jobs_[1].ids.size() <= kMaxMergedIds) {
    // Taken out first: erasing from a deque moves its elements.
    std::vector<std::int64_t> next = std::move(jobs_[1].ids);
    jobs_.erase(jobs_.begin() + 1);
    std::vector<std::int64_t>& ids = jobs_.front().ids;
    auto middle = ids.insert(ids.end(), next.begin(), next.end());
    std::inplace_merge(ids.begin(), middle, ids.end());
  }
}

std::size_t OutboxMarker::pump() {
  std::size_t done = 0;
  if (!conn_) {
    if (!jobs_.empty()) fail("marking");
    return done;
  }
  if (busy_) {
    if (PQconsumeInput(conn_) == 0) fail("marking");
    if (PQisBusy(conn_)) return done;
    bool ok = true, changed = false;
    std::string error;
    while (PGresult* r = PQgetResult(conn_)) {
      if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        ok = false;
        error = PQresultErrorMessage(r);
      } else if (std::strcmp(PQcmdTuples(r), "0") != 0) {
        changed = true;
      }
      PQclear(r);
    }
    if (!ok) fail("marking rows: " + error);
    busy_ = false;
    if (jobs_.front().ids.empty()) quarantined_.push_back(QuarantineDone{jobs_.front().quarantine_id, changed});
    done = jobs_.front().ids.size();
    rows_ -= done;
    jobs_.pop_front();
  }
  if (!busy_ && !jobs_.empty()) {
    merge_waiting_marks();
    const Job& job = jobs_.front();
    int sent;
    if (!job.ids.empty()) {
      std::string list = bigint_array(job.ids);
      const char* params[] = {list.c_str()};
      sent = PQsendQueryPrepared(conn_, "mark", 1, params, nullptr, nullptr, 0);
    } else {
      std::string id = std::to_string(job.quarantine_id);
      const char* params[] = {id.c_str(), job.error.c_str()};
      sent = PQsendQueryPrepared(conn_, "quarantine", 2, params, nullptr, nullptr, 0);
    }
    if (!sent) fail("sending a mark");
    busy_ = true;
    // Non-blocking mode: push out whatever did not fit in the socket buffer.
    while (PQflush(conn_) == 1) {
      if (PQconsumeInput(conn_) == 0) fail("sending a mark");
    }
  }
  return done;
}

}  // namespace publisher
