// Page preparation speed for a 300-dpi A4 page: decoding alone (the baseline), the
// deskew stage alone, and both, as medians of several runs.
#include "bench_util.hpp"
#include "cli_args.hpp"

#include "formscan/image_io.hpp"
#include "formscan/paths.hpp"
#include "formscan/pipeline.hpp"
#include "synth.hpp"

#include <cstdio>
#include <filesystem>

namespace formscan::bench {

int prepare_command(const std::vector<std::string>& argv) {
    cli::Args args(argv, {"--runs", "--dpi", "--seed"}, {});
    const int runs = args.get_int("--runs", 9, 1, 1000);
    const double dpi = args.get_int("--dpi", 300, 50, 1200);
    auto templates = load_templates(default_templates_dir());
    auto data = synth::SynthData::load(default_data_dir());
    PluginHost host(default_plugin_dir());
    host.load_all();
    StageEnvironment env{default_data_dir(), default_models_dir(), default_tessdata_dir()};
    Pipeline prepare(host, {{"deskew"}, {}}, env);
    const FormTemplate& form = templates.at("zj-hedui");

    std::mt19937 rng(static_cast<unsigned>(args.get_int("--seed", 5, 0, 1 << 30)));
    synth::PageTruth truth;
    cv::Mat clean = synth::render_form(form, data, {}, dpi, rng, truth);
    synth::DamageOptions damage;
    damage.turn_probability = 0;
    damage.perspective_probability = 0;
    cv::Mat scan = synth::damage_scan(clean, damage, rng).gray;
    std::string dir = (std::filesystem::temp_directory_path() / "formscan_bench_prepare").string();
    std::filesystem::create_directories(dir);
    synth::write_png(dir + "/page.png", scan);
    synth::write_tiff(dir + "/page_g4.tif", {scan}, dpi, true);
    synth::write_jpeg(dir + "/page.jpg", scan, 85);

    std::printf("preparation of one %dx%d page (A4 at %g dpi, skewed), median of %d runs:\n", scan.cols, scan.rows, dpi, runs);
    for (const char* name : {"page.png", "page_g4.tif", "page.jpg"}) {
        std::vector<double> decode, stage, both;
        for (int r = 0; r < runs; ++r) {
            cv::Mat decoded;
            decode.push_back(time_once([&] { decoded = ScanFile::open(dir + "/" + name, {})->decode(0).gray; }));
            Page page;
            page.image = decoded;
            stage.push_back(time_once([&] { prepare.run(page, form); }));
            both.push_back(time_once([&] {
                Page p;
                p.image = ScanFile::open(dir + "/" + name, {})->decode(0).gray;
                prepare.run(p, form);
            }));
        }
        double base = median(decode);
        std::printf("  %-12s decoding %6.1f ms (baseline) | preparation without decoding %6.1f ms (x%.2f) | with decoding %6.1f ms (x%.2f)\n",
                    name, 1000 * base, 1000 * median(stage), median(stage) / base, 1000 * median(both), median(both) / base);
    }
    return 0;
}

}  // namespace formscan::bench
