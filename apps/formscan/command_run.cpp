#include "cli_args.hpp"
#include "commands.hpp"
#include "sender.hpp"
#include "formscan/masking.hpp"
#include "formscan/review_store.hpp"

#include "formscan/batch_runner.hpp"
#include "formscan/error.hpp"
#include "formscan/paths.hpp"

#include <fstream>
#include <iostream>
#include <atomic>
#include <filesystem>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace formscan::cli {

int run_command(const std::vector<std::string>& argv) {
    Args args(argv, {"--template", "--threads", "--config", "-D", "--plugins", "--templates", "--out", "--debug-dir", "--store",
                     "--registry", "--ca", "--batch"},
              {"--no-progress", "--push", "--fresh"});
    if (!args.has("--out")) throw Error("formscan.cli.missing_option", "--out RECORDS.jsonl is required (- for standard output)");
    if (args.positional().empty()) throw Error("formscan.cli.missing_input", "give at least one scan file or folder");

    auto templates = load_templates(args.get("--templates", default_templates_dir()));
    PluginHost host(args.get("--plugins", default_plugin_dir()));
    host.load_all();
    for (const auto& failure : host.failures()) std::cerr << "formscan: plugin not loaded: " << failure.message << "\n";

    RunConfig config = default_config(templates);
    if (args.has("--config")) apply_config_file(config, args.get("--config"));
    for (const auto& assignment : args.all("-D")) apply_override(config, assignment);

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
    std::vector<std::string> used;
    if (options.template_id == "auto") {
        for (const auto& [id, form] : templates) used.push_back(id);
    } else {
        if (!templates.count(options.template_id))
            throw Error("formscan.template.unknown", "no template \"" + options.template_id + "\"");
        used.push_back(options.template_id);
    }
    auto unavailable = finalise_config(config, host, used, options.template_id == "auto");
    for (const auto& [id, why] : unavailable)
        std::cerr << "formscan: pages of template " << id << " will be skipped: " << why << "\n";
    // Expand inputs now, so a missing file is a usage error before any work starts.
    expand_inputs(options.inputs);

    StageEnvironment env{default_data_dir(), default_models_dir(), default_tessdata_dir()};
    std::unique_ptr<std::ofstream> file;
    std::ostream* out = &std::cout;
    const std::string out_path = args.get("--out");
    if (out_path != "-") {
        file = std::make_unique<std::ofstream>(out_path, std::ios::binary | std::ios::trunc);
        if (!*file) throw Error("formscan.cli.unwritable", "cannot write " + out_path);
        out = file.get();
    }
    // --push: the outbox is sent while pages are read (every few seconds), and once more at the end.
    std::atomic<bool> reading{true};
    std::mutex push_mutex;
    std::condition_variable push_wake;
    std::thread pusher;
    PushSummary pushed;
    if (push) {
        pusher = std::thread([&] {
            ReviewStore outbox(options.store_url);
            while (true) {
                {
                    std::unique_lock lock(push_mutex);
                    push_wake.wait_for(lock, std::chrono::seconds(3), [&] { return !reading.load(); });
                }
                const bool last = !reading.load();
                try {
                    PushSummary s = push_outbox(outbox, *push);
                    pushed.sent += s.sent, pushed.refused += s.refused, pushed.failures += s.failures, pushed.pending = s.pending;
                    if (!s.last_error.empty()) pushed.last_error = s.last_error;
                } catch (const std::exception& e) {
                    pushed.last_error = mask_personal_data(e.what());
                    if (last) break;
                }
                if (last) break;
            }
        });
    }
    BatchSummary summary;
    try {
        summary = run_batch(host, templates, config, env, options, *out);
    } catch (...) {
        reading = false;
        push_wake.notify_all();
        if (pusher.joinable()) pusher.join();
        throw;
    }
    reading = false;
    push_wake.notify_all();
    if (pusher.joinable()) pusher.join();
    if (push)
        std::cerr << "formscan: delivered " << pushed.sent << " record(s), " << pushed.refused << " refused, " << pushed.pending
                  << " pending" << (pushed.last_error.empty() ? "" : " (last error: " + pushed.last_error + ")") << "\n";
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
