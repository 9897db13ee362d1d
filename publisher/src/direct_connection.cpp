#include "direct_connection.h"

namespace publisher {

std::optional<std::string> pooler_refusal(int announced_pid, int server_pid) {
  if (announced_pid == server_pid) return std::nullopt;
  return "the database connection goes through a connection pooler such as PgBouncer (the server's "
         "backend pid is " +
         std::to_string(server_pid) + ", the connection announced " + std::to_string(announced_pid) +
         "): profile-publisher needs LISTEN and a session advisory lock, which transaction pooling does "
         "not keep; point --db at PostgreSQL itself";
}

}  // namespace publisher
