// formscan serve: the review station (see apps/review_server/review_server.hpp).
// formscan users: who may sign in to it.
#include "cli_args.hpp"
#include "commands.hpp"

#include "review_server.hpp"

#include "formscan/accounts.hpp"
#include "formscan/error.hpp"
#include "formscan/paths.hpp"

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <termios.h>
#include <unistd.h>

namespace formscan::cli {

namespace {

std::string required_store(const Args& args, const std::string& usage) {
    if (!args.has("--store")) throw Error("formscan.cli.missing_input", "--store is required; usage: " + usage);
    return args.get("--store");
}

// From a terminal without echo; from a pipe as the first line.
std::string read_password(const std::string& prompt) {
    std::string password;
    if (!isatty(STDIN_FILENO)) {
        std::getline(std::cin, password);
        return password;
    }
    std::cerr << prompt << std::flush;
    termios saved{};
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    std::getline(std::cin, password);
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << "\n";
    return password;
}

}  // namespace

int serve_command(const std::vector<std::string>& argv) {
    const std::string usage = "formscan serve --store URL [--listen HOST:PORT] [--web DIR] [--lease SECONDS] [--secure-cookies]";
    Args args(argv, {"--store", "--listen", "--web", "--plugins", "--templates", "--lease", "--threads"}, {"--secure-cookies"});
    ReviewServerOptions options;
    options.store_url = required_store(args, usage);
    const std::string listen = args.get("--listen", "127.0.0.1:8080");
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos) throw Error("formscan.cli.bad_value", "--listen takes HOST:PORT, e.g. 127.0.0.1:8080");
    options.host = listen.substr(0, colon);
    options.port = static_cast<unsigned short>(std::atoi(listen.c_str() + colon + 1));
    options.web_dir = args.get("--web", default_web_dir());
    options.plugin_dir = args.get("--plugins", default_plugin_dir());
    options.templates_dir = args.get("--templates", default_templates_dir());
    options.lease = std::chrono::seconds(args.get_int("--lease", 600, 10, 86400));
    options.threads = args.get_int("--threads", 8, 1, 256);
    options.secure_cookies = args.has("--secure-cookies");

    // SIGINT and SIGTERM end the server cleanly; every server thread inherits the block.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    ReviewServer server(options);
    server.start();
    // The line tests and scripts wait for (with the port actually bound).
    std::cout << "formscan serve: listening on http://" << options.host << ":" << server.port() << "/" << std::endl;
    int signal = 0;
    sigwait(&stop_signals, &signal);
    std::cerr << "formscan serve: stopping\n";
    server.stop();
    return kExitOk;
}

int users_command(const std::vector<std::string>& argv) {
    const std::string usage =
        "formscan users add NAME --role operator|reviewer|admin --store URL   (password from FORMSCAN_PASSWORD or standard input)\n"
        "       formscan users list --store URL\n"
        "       formscan users remove NAME --store URL";
    Args args(argv, {"--store", "--role"}, {});
    const auto& pos = args.positional();
    if (pos.empty()) throw Error("formscan.cli.missing_input", "usage: " + usage);
    Accounts accounts(required_store(args, usage));
    if (pos[0] == "list" && pos.size() == 1) {
        for (const auto& u : accounts.users()) std::cout << u.name << "\t" << to_string(u.role) << "\n";
        return kExitOk;
    }
    if (pos[0] == "remove" && pos.size() == 2) {
        if (!accounts.remove_user(pos[1])) throw Error("formscan.cli.missing_input", "no user " + pos[1]);
        return kExitOk;
    }
    if (pos[0] == "add" && pos.size() == 2) {
        if (!args.has("--role")) throw Error("formscan.cli.missing_input", "--role is required; usage: " + usage);
        const Role role = role_from_name(args.get("--role"));
        std::string password;
        if (const char* env = std::getenv("FORMSCAN_PASSWORD"); env && *env)
            password = env;
        else
            password = read_password("password for " + pos[1] + ": ");
        accounts.set_user(pos[1], password, role);
        std::cerr << "formscan users: " << pos[1] << " may sign in as " << to_string(role) << "\n";
        return kExitOk;
    }
    throw Error("formscan.cli.missing_input", "usage: " + usage);
}

}  // namespace formscan::cli
