// formscan export RECORDS.jsonl|--store URL --format csv|xlsx|jsonl --out FILE [--template ID]
#include "cli_args.hpp"
#include "commands.hpp"

#include "formscan/error.hpp"
#include "formscan/export.hpp"
#include "formscan/paths.hpp"
#include "formscan/record_json.hpp"
#include "formscan/review_store.hpp"

#include <fstream>
#include <iostream>

namespace formscan::cli {

int export_command(const std::vector<std::string>& argv) {
    Args args(argv, {"--format", "--out", "--template", "--templates", "--store"}, {});
    if (args.positional().size() != (args.has("--store") ? 0u : 1u) || !args.has("--out"))
        throw Error("formscan.cli.missing_input",
                    "usage: formscan export RECORDS.jsonl|--store URL --format csv|xlsx|jsonl --out FILE [--template zj-hedui]");
    const ExportFormat format = export_format_from_name(args.get("--format", "csv"));
    auto templates = load_templates(args.get("--templates", default_templates_dir()));
    const std::string input = args.has("--store") ? "the store" : args.positional()[0];
    std::vector<Record> all;
    if (args.has("--store")) {
        all = ReviewStore(args.get("--store")).records();
    } else {
        std::ifstream in(input);
        if (!in) throw Error("formscan.cli.missing_input", "cannot open " + input);
        for (std::string line; std::getline(in, line);)
            if (!line.empty()) all.push_back(record_from_json_line(line));
    }
    std::string id = args.get("--template", "");
    std::vector<Record> records;
    for (auto& r : all) {
        if (id.empty()) id = r.template_id;
        // One form per file: its headings are the form's own.
        if (r.template_id == id) records.push_back(std::move(r));
    }
    if (id.empty()) throw Error("formscan.cli.missing_input", input + " holds no records");
    auto it = templates.find(id);
    if (it == templates.end()) throw Error("formscan.cli.unknown_template", "unknown template " + id);
    export_records(it->second, records, format, args.get("--out"));
    std::cerr << "formscan export: " << records.size() << " record(s) of " << id << " written to " << args.get("--out") << "\n";
    return kExitOk;
}

}  // namespace formscan::cli
