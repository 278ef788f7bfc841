#include "cli_args.hpp"
#include "commands.hpp"

#include "formscan/error.hpp"
#include "formscan/paths.hpp"
#include "synth.hpp"

#include <Poco/NumberParser.h>

#include <algorithm>
#include <iostream>

namespace formscan::cli {

int synth_command(const std::vector<std::string>& argv) {
    Args args(argv,
              {"--out", "--pages", "--template", "--seed", "--formats", "--dpi", "--multipage", "--digits", "--max-skew",
               "--fonts", "--templates", "--rows", "--printed"},
              {"--no-damage"});
    if (!args.has("--out")) throw Error("formscan.cli.missing_option", "--out DIR is required");
    auto templates = load_templates(args.get("--templates", default_templates_dir()));
    synth::SynthOptions o;
    o.out_dir = args.get("--out");
    o.pages = args.get_int("--pages", 10, 1, 1000000);
    o.seed = static_cast<unsigned>(args.get_int("--seed", 1, 0, 2147483647));
    std::string which = args.get("--template", "zj-hedui");
    o.templates = which == "both" ? std::vector<std::string>{"zj-hedui", "zj-dengji"} : split(which, ',');
    if (args.has("--formats")) o.formats = split(args.get("--formats"), ',');
    if (args.has("--fonts")) o.render.fonts = split(args.get("--fonts"), ',');
    if (args.has("--dpi")) {
        auto range = split(args.get("--dpi"), '-');
        double lo = 0, hi = 0;
        if (range.empty() || !Poco::NumberParser::tryParseFloat(range[0], lo) ||
            !Poco::NumberParser::tryParseFloat(range.back(), hi) || lo < 50 || hi > 1200 || lo > hi)
            throw Error("formscan.cli.bad_value", "--dpi " + args.get("--dpi") + ": expected MIN-MAX within 50-1200");
        o.dpi_min = lo;
        o.dpi_max = hi;
    }
    if (args.has("--rows")) {
        auto range = split(args.get("--rows"), '-');
        o.render.min_rows = std::stoi(range[0]);
        o.render.max_rows = std::stoi(range.back());
    }
    if (args.has("--printed")) {
        // Pages printed by `formscan print` (this batch), filled in and scanned back.
        o.printed_batch = args.get("--printed");
        if (o.printed_batch.empty() || o.printed_batch.find_first_of(";,=") != std::string::npos)
            throw Error("formscan.cli.bad_value", "--printed BATCH: a name without ; , or =");
        if (args.has("--rows")) o.printed_rows = std::clamp(o.render.max_rows, 1, 20);
    }
    o.multipage = args.get_int("--multipage", 1, 1, 1000);
    std::string digits = args.get("--digits", "train");
    if (digits != "train" && digits != "test") throw Error("formscan.cli.bad_value", "--digits train|test");
    o.render.digits = digits == "train" ? synth::DigitSplit::train : synth::DigitSplit::test;
    o.damage.enabled = !args.has("--no-damage");
    if (args.has("--max-skew")) o.damage.max_skew_deg = Poco::NumberParser::parseFloat(args.get("--max-skew"));

    auto data = synth::SynthData::load(default_data_dir());
    auto summary = synth::synthesize(templates, data, o);
    std::cerr << "formscan synth: " << summary.pages << " page(s) in " << summary.files << " file(s), "
              << summary.records << " truth record(s) in " << summary.truth_path << "\n";
    return kExitOk;
}

}  // namespace formscan::cli
