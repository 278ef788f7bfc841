#include "cli_args.hpp"
#include "commands.hpp"
#include "reading_setup.hpp"
#include "sender.hpp"

#include "formscan/batch_runner.hpp"
#include "formscan/error.hpp"
#include "formscan/paths.hpp"

#include <fstream>
#include <iostream>
#include <filesystem>
#include <memory>
#include <optional>

namespace formscan::cli {

int run_command(const std::vector<std::string>& argv) {
    Args args(argv, {"--template", "--threads", "--config", "-D", "--plugins", "--templates", "--out", "--debug-dir", "--store",
                     "--registry", "--ca", "--batch", "--printed"},
              {"--no-progress", "--push", "--fresh"});
    if (!args.has("--out")) throw Error("formscan.cli.missing_option", "--out RECORDS.jsonl is required (- for standard output)");
    if (args.positional().empty()) throw Error("formscan.cli.missing_input", "give at least one scan file or folder");

    ReadingSetup setup = reading_setup(args, args.get("--template", "auto"));

    BatchOptions options;
    options.inputs = args.positional();
    options.template_id = args.get("--template", "auto");
    options.threads = args.get_int("--threads", 1, 1, 256);
    options.progress = !args.has("--no-progress");
    options.debug_dir = args.get("--debug-dir");
    options.store_url = args.get("--store");
    // The journal beside the output: a run killed and started again continues (--fresh: from the start).
    if (args.get("--out") != "-") {
        options.journal_path = args.get("--out") + ".journal";
        // The same run: the same template, configuration file, overrides and inputs.
        options.journal_settings = "template=" + args.get("--template", "auto") + "\nconfig=" + args.get("--config", "");
        for (const auto& d : args.all("-D")) options.journal_settings += "\n-D " + d;
        for (const auto& input : args.positional()) options.journal_settings += "\ninput " + input;
        if (args.has("--fresh")) std::filesystem::remove(options.journal_path);
    }
    std::optional<SenderOptions> push;
    if (args.has("--push")) {
        if (options.store_url.empty()) throw Error("formscan.cli.missing_option", "--push needs --store (the outbox lives there)");
        push = sender_options(args);
    }
    // Expand inputs now, so a missing file is a usage error before any work starts.
    expand_inputs(options.inputs);

    std::unique_ptr<std::ofstream> file;
    std::ostream* out = &std::cout;
    const std::string out_path = args.get("--out");
    if (out_path != "-") {
        file = std::make_unique<std::ofstream>(out_path, std::ios::binary | std::ios::trunc);
        if (!*file) throw Error("formscan.cli.unwritable", "cannot write " + out_path);
        out = file.get();
    }
    // --push: the outbox is sent while pages are read, and once more at the end.
    std::unique_ptr<BackgroundPusher> pusher;
    if (push) pusher = std::make_unique<BackgroundPusher>(options.store_url, *push);
    BatchSummary summary = run_batch(*setup.host, setup.templates, setup.config, setup.env, options, *out);
    if (pusher) {
        PushSummary pushed = pusher->finish();
        std::cerr << "formscan: delivered " << pushed.sent << " record(s), " << pushed.refused << " refused, " << pushed.pending
                  << " pending" << (pushed.last_error.empty() ? "" : " (last error: " + pushed.last_error + ")") << "\n";
    }
    if (file) file->close();
    if (summary.pages_from_journal > 0)
        std::cerr << "formscan: " << summary.pages_from_journal << " page(s) taken from the journal of an earlier run ("
                  << options.journal_path << ")\n";
    std::cerr << "formscan: " << summary.pages << " page(s) read from " << summary.files << " file(s), " << summary.records
              << " record(s) written to " << (out_path == "-" ? "standard output" : out_path) << " in "
              << static_cast<int>(summary.seconds * 10) / 10.0 << " s";
    if (!summary.skipped.empty()) std::cerr << "; " << summary.skipped.size() << " input(s) skipped (see above)";
    std::cerr << "\n";
    return summary.skipped.empty() ? kExitOk : kExitSkipped;
}

}  // namespace formscan::cli
