// formscan-registry: the reference district registry server (see registry.hpp, openapi.yaml).
#include "cli_args.hpp"
#include "registry.hpp"

#include "formscan/error.hpp"
#include "formscan/logging.hpp"
#include "formscan/masking.hpp"

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>

namespace {

const char* kUsage = R"(formscan-registry: the district registry's reference server

usage:
  formscan-registry --store sqlite:FILE|postgresql:CONNECTION [--listen HOST:PORT]
                    [--cert CERT.pem --key KEY.pem] [--threads N]
      The bearer token clients must send comes from FORMSCAN_REGISTRY_TOKEN (at least 16
      characters). HTTPS when --cert and --key are given. Stop with Ctrl+C or SIGTERM.
      For fault tests only: --fault-rate P [--fault-seed N] answers that share of requests
      503, 429, 500 after storing, cuts the connection after storing, or hangs 4 s.
)";

}  // namespace

int main(int argc, char** argv) {
    const char* level = std::getenv("FORMSCAN_LOG_LEVEL");
    formscan::setup_logging(level && *level ? level : "warning");
    try {
        std::vector<std::string> argv_list(argv + 1, argv + argc);
        if (argv_list.empty() || argv_list[0] == "--help") {
            std::cout << kUsage;
            return argv_list.empty() ? 2 : 0;
        }
        formscan::cli::Args args(argv_list, {"--store", "--listen", "--cert", "--key", "--threads", "--fault-rate", "--fault-seed"}, {});
        formscan::registry::RegistryOptions options;
        if (!args.has("--store")) throw formscan::Error("formscan.cli.missing_input", "--store is required");
        options.store_url = args.get("--store");
        const char* token = std::getenv("FORMSCAN_REGISTRY_TOKEN");
        options.token = token ? token : "";
        const std::string listen = args.get("--listen", "127.0.0.1:8443");
        const auto colon = listen.rfind(':');
        if (colon == std::string::npos) throw formscan::Error("formscan.cli.bad_value", "--listen takes HOST:PORT");
        options.host = listen.substr(0, colon);
        options.port = static_cast<unsigned short>(std::atoi(listen.c_str() + colon + 1));
        options.certificate = args.get("--cert", "");
        options.private_key = args.get("--key", "");
        options.threads = args.get_int("--threads", 8, 1, 256);
        options.fault_rate = std::atof(args.get("--fault-rate", "0").c_str());
        options.fault_seed = static_cast<unsigned>(args.get_int("--fault-seed", 1, 0, 1 << 30));

        sigset_t stop;
        sigemptyset(&stop);
        sigaddset(&stop, SIGINT);
        sigaddset(&stop, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &stop, nullptr);
        formscan::registry::RegistryServer server(options);
        server.start();
        std::cout << "formscan-registry: listening on " << (options.certificate.empty() ? "http" : "https") << "://" << options.host
                  << ":" << server.port() << "/" << std::endl;
        int signal = 0;
        sigwait(&stop, &signal);
        server.stop();
        return 0;
    } catch (const formscan::Error& e) {
        std::cerr << "formscan-registry: " << formscan::mask_personal_data(e.what()) << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "formscan-registry: [formscan.internal] " << formscan::mask_personal_data(e.what()) << "\n";
        return 1;
    }
}
