#include "private_postgres.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace formscan {

namespace {
void run(const std::string& command) {
    if (std::system(command.c_str()) != 0) throw std::runtime_error("failed: " + command);
}
}  // namespace

PrivatePostgres::PrivatePostgres(const std::string& tcp_addresses, int port) : port_(port) {
    std::string pattern = (std::filesystem::temp_directory_path() / "formscan_pg_XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot make a temporary folder for PostgreSQL");
    dir_ = pattern;
    std::string bin;
    for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql"))
        if (std::filesystem::exists(entry.path() / "bin/initdb")) bin = (entry.path() / "bin").string();
    if (bin.empty()) throw std::runtime_error("PostgreSQL's server is not installed (scripts/setup-deps.sh installs it)");
    const std::string as = geteuid() == 0 ? "runuser -u postgres -- " : "";
    if (geteuid() == 0) run("chown postgres " + dir_);
    run(as + bin + "/initdb -D " + dir_ + "/data -A trust -U formscan >" + dir_ + "/initdb.log 2>&1");
    if (!tcp_addresses.empty()) {
        std::ofstream hba(dir_ + "/data/pg_hba.conf", std::ios::app);
        hba << "host all all 10.231.0.0/16 trust\n";
    }
    start_ = as + bin + "/pg_ctl -D " + dir_ + "/data -w -l " + dir_ + "/server.log -o \"-c listen_addresses='" + tcp_addresses +
             "' -k " + dir_ + " -p " + std::to_string(port_) + "\" start >/dev/null";
    stop_ = as + bin + "/pg_ctl -D " + dir_ + "/data -m fast stop >/dev/null 2>&1";
    start();
}

PrivatePostgres::~PrivatePostgres() {
    stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

void PrivatePostgres::start() {
    if (std::system(start_.c_str()) != 0) {
        std::ifstream log(dir_ + "/server.log");
        std::stringstream text;
        text << log.rdbuf();
        throw std::runtime_error("failed: " + start_ + "\n" + text.str());
    }
}

void PrivatePostgres::stop() { std::system(stop_.c_str()); }

std::string PrivatePostgres::url() const {
    return "postgresql:host=" + dir_ + " port=" + std::to_string(port_) + " user=formscan dbname=postgres";
}

std::string PrivatePostgres::tcp_url(const std::string& host) const {
    return "postgresql:host=" + host + " port=" + std::to_string(port_) + " user=formscan dbname=postgres connect_timeout=5";
}

}  // namespace formscan
