#include "cli_args.hpp"
#include "commands.hpp"

#include "formscan/calibration.hpp"
#include "formscan/error.hpp"
#include "formscan/paths.hpp"

#include <cstdio>
#include <iostream>

namespace formscan::cli {

int calibrate_command(const std::vector<std::string>& argv) {
    Args args(argv, {"--out", "--min-samples", "--silent-budget", "--templates"}, {});
    if (args.positional().size() != 2 || !args.has("--out"))
        throw Error("formscan.cli.missing_input", "usage: formscan calibrate TRUTH.jsonl RECORDS.jsonl --out CALIBRATION.json [--min-samples N] [--silent-budget 0.001] [--templates DIR]");
    auto templates = load_templates(args.get("--templates", default_templates_dir()));
    auto observations = observe(args.positional()[0], args.positional()[1], templates);
    Calibration c = Calibration::fit(observations, args.get_int("--min-samples", 25, 2, 100000));
    // Well below the 0.3% of accepted fields wrong: on held-out pages the rate
    // came out about 2.5 times the budget (page-header fields err a page at a time).
    const double budget = std::stod(args.get("--silent-budget", "0.001"));
    c.choose_ok_confidence(observations, budget);
    c.save(args.get("--out"));
    for (const auto& [key, steps] : c.tables()) {
        long n = 0;
        for (const auto& s : steps) n += s.samples;
        std::printf("%-28s %6ld readings, %zu steps, calibrated %.3f .. %.3f\n", key.c_str(), n, steps.size(),
                    steps.front().calibrated, steps.back().calibrated);
    }
    std::printf("ok from calibrated confidence %.4f (accepted fields wrong at most %.2f%% of the time on these pages)\n",
                c.ok_confidence(), 100 * budget);
    std::cerr << "formscan calibrate: wrote " << args.get("--out") << "\n";
    return kExitOk;
}

}  // namespace formscan::cli
