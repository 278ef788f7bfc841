#pragma once
// The formscan commands; each returns the process exit status.
#include "cli_args.hpp"
#include "sender.hpp"

#include <string>
#include <vector>

namespace formscan::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 2;     // unusable arguments or configuration
inline constexpr int kExitSkipped = 3;   // the batch ran, but some input was skipped

int run_command(const std::vector<std::string>& args);
int plugins_command(const std::vector<std::string>& args);
int synth_command(const std::vector<std::string>& args);
int eval_command(const std::vector<std::string>& args);
int calibrate_command(const std::vector<std::string>& args);
int export_command(const std::vector<std::string>& args);
int serve_command(const std::vector<std::string>& args);
int print_command(const std::vector<std::string>& args);
int push_command(const std::vector<std::string>& args);
int queue_command(const std::vector<std::string>& args);
int worker_command(const std::vector<std::string>& args);

// --registry, --ca, --batch and FORMSCAN_REGISTRY_TOKEN as push and run --push take them.
SenderOptions sender_options(const Args& args);
int users_command(const std::vector<std::string>& args);

}  // namespace formscan::cli
