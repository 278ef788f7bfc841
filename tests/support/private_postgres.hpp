#pragma once
// A private PostgreSQL server for a test or a benchmark: its own cluster in a new
// temporary folder, reached through a Unix socket there, and over TCP on
// `tcp_addresses` when given (e.g. "10.231.1.1,10.231.2.1", trusting 10.231.0.0/16).
// Runs as the postgres user when started by root (initdb refuses root). Stopped and
// removed when destroyed. Throws std::runtime_error when the server cannot start.
#include <string>

namespace formscan {

class PrivatePostgres {
public:
    explicit PrivatePostgres(const std::string& tcp_addresses = "", int port = 54329);
    ~PrivatePostgres();
    PrivatePostgres(const PrivatePostgres&) = delete;
    PrivatePostgres& operator=(const PrivatePostgres&) = delete;
    std::string url() const;  // "postgresql:host=DIR port=... user=formscan dbname=postgres"
    std::string tcp_url(const std::string& host) const;
    void stop();   // fast shutdown: sessions are cut, as in a restart
    void start();

private:
    std::string dir_, start_, stop_;
    int port_;
};

}  // namespace formscan
