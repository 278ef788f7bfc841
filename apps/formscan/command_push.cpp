// formscan push: sends the review store's outbox to the district registry.
#include "cli_args.hpp"
#include "commands.hpp"

#include "formscan/error.hpp"
#include "formscan/review_store.hpp"
#include "sender.hpp"

#include <cstdlib>
#include <iostream>

namespace formscan::cli {

SenderOptions sender_options(const Args& args) {
    SenderOptions options;
    options.url = args.get("--registry", "");
    if (options.url.empty()) throw Error("formscan.cli.missing_input", "--registry URL is required (e.g. https://registry:8443)");
    const char* token = std::getenv("FORMSCAN_REGISTRY_TOKEN");
    if (!token || !*token) throw Error("formscan.cli.missing_input", "set FORMSCAN_REGISTRY_TOKEN to the registry's bearer token");
    options.token = token;
    options.ca_file = args.get("--ca", "");
    options.batch = args.get_int("--batch", 100, 1, 500);
    options.max_failures = args.get_int("--max-failures", 12, 1, 1000);
    return options;
}

int push_command(const std::vector<std::string>& argv) {
    Args args(argv, {"--store", "--registry", "--ca", "--batch", "--max-failures"}, {"--status"});
    if (!args.has("--store")) throw Error("formscan.cli.missing_input", "usage: formscan push --store URL --registry URL [--batch N] [--ca CA.pem] | --status");
    ReviewStore store(args.get("--store"));
    if (args.has("--status")) {
        OutboxCounts c = store.outbox_counts();
        std::cout << "pending " << c.pending << "\nsent " << c.sent << "\nrefused " << c.refused << "\n";
        for (const auto& [key, reason] : c.refusals) std::cout << "  refused " << key << ": " << reason << "\n";
        return kExitOk;
    }
    PushSummary s = push_outbox(store, sender_options(args));
    std::cerr << "formscan push: " << s.sent << " sent, " << s.refused << " refused, " << s.pending << " pending, " << s.failures
              << " failed tries" << (s.last_error.empty() ? "" : " (last: " + s.last_error + ")") << "\n";
    return s.pending > 0 ? kExitSkipped : kExitOk;
}

}  // namespace formscan::cli
