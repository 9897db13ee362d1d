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

}  // namespace publisher
