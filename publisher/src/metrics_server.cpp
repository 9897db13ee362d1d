#include "metrics_server.h"

namespace publisher {

MetricsServer::MetricsServer(const Metrics& metrics)
    : http_([&metrics] { return metrics.render(); },
            [&metrics] {
              bool up = metrics.db_up.load() != 0;
              return Health{up, std::string(up ? "ok" : "database unreachable") +
                                    (metrics.leader.load() ? " leader" : " standby")};
            }) {}

}  // namespace publisher
