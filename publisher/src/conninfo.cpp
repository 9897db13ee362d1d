#include "conninfo.h"

#include <libpq-fe.h>

#include <cstring>

namespace publisher {

std::optional<std::string> describe_conninfo(const std::string& conninfo) {
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &err);
  if (options == nullptr) {
    PQfreemem(err);
    return std::nullopt;
  }
  std::string out;
  for (const char* wanted : {"host", "hostaddr", "port", "dbname"}) {
    for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
      if (std::strcmp(o->keyword, wanted) == 0 && o->val != nullptr && o->val[0] != '\0') {
        if (!out.empty()) out += ' ';
        out += wanted;
        out += '=';
        out += o->val;
      }
    }
  }
  PQconninfoFree(options);
  return out.empty() ? std::string("(from PG* environment)") : out;
}

bool connect_error_is_permanent(std::string_view m) {
  auto has = [m](std::string_view s) { return m.find(s) != std::string_view::npos; };
  if (has("the database system is") || has("too many clients") || has("remaining connection slots") ||
      has("terminating connection") || has("timeout expired") || has("Connection refused") ||
      has("could not connect") || has("server closed the connection"))
    return false;
  return has("password authentication failed") || has("authentication failed") || has("does not exist") ||
         has("no pg_hba.conf entry") || has("could not translate host name") || has("password") ||
         has("invalid connection option") || has("permission denied");
}

}  // namespace publisher
