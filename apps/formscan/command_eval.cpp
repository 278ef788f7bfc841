#include "cli_args.hpp"
#include "commands.hpp"

#include "formscan/error.hpp"
#include "formscan/evaluation.hpp"

#include <iostream>

namespace formscan::cli {

int eval_command(const std::vector<std::string>& argv) {
    Args args(argv, {}, {"--json"});
    if (args.positional().size() != 2) throw Error("formscan.cli.missing_input", "usage: formscan eval TRUTH.jsonl RECORDS.jsonl [--json]");
    EvalReport report = evaluate_files(args.positional()[0], args.positional()[1]);
    std::cout << (args.has("--json") ? report_to_json(report) + "\n" : format_report(report));
    return kExitOk;
}

}  // namespace formscan::cli
