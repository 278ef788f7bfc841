// Skew accuracy and speed: formscan's deskew stage, Leptonica's sweep-and-search as
// the issue configures it, and unpaper, on the same synthetic damaged pages.
#include "bench_util.hpp"
#include "cli_args.hpp"
#include "line_tracks.hpp"

#include "formscan/error.hpp"
#include "formscan/image_convert.hpp"
#include "formscan/paths.hpp"
#include "formscan/pipeline.hpp"
#include "synth.hpp"

#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <leptonica/allheaders.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <regex>

namespace formscan::bench {

namespace {

struct Method {
    std::string name;
    std::vector<double> errors, seconds;
};

double leptonica_skew(const cv::Mat& gray) {
    cv::Mat ink;
    cv::threshold(gray, ink, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
    PixPtr pix = to_pix_binary(ink);
    l_float32 angle = 0, conf = 0;
    pixFindSkewSweepAndSearch(pix.get(), &angle, &conf, 2, 1, 11.0f, 0.5f, 0.005f);
    return angle;
}

// unpaper deskews PGM files and says the angle it found, in radians, with -vv.
double unpaper_skew(const std::string& pgm, const std::string& out, double& seconds) {
    Poco::Pipe pipe;
    std::string text;
    seconds = time_once([&] {
        Poco::ProcessHandle h = Poco::Process::launch("unpaper", {"-vv", "--overwrite", "--deskew-scan-range", "11", pgm, out},
                                                      nullptr, &pipe, &pipe);
        Poco::PipeInputStream in(pipe);
        Poco::StreamCopier::copyToString(in, text);
        h.wait();
    });
    std::smatch m;
    static const std::regex average("rotation average: (-?[0-9.]+)");
    if (!std::regex_search(text, m, average)) return 0;  // unpaper found no rotation
    // unpaper's angle is clockwise-positive; the record's is counter-clockwise-positive.
    return -std::stod(m[1]) * 180.0 / CV_PI;
}

cv::Mat undo_turn(const cv::Mat& scan, int orientation) {
    cv::Mat out;
    if (orientation == 90) cv::rotate(scan, out, cv::ROTATE_90_COUNTERCLOCKWISE);
    else if (orientation == 180) cv::rotate(scan, out, cv::ROTATE_180);
    else if (orientation == 270) cv::rotate(scan, out, cv::ROTATE_90_CLOCKWISE);
    else out = scan;
    return out;
}

// Largest angle of the straightened page's ruling lines from the axes.
double residual_line_angle(const cv::Mat& gray) {
    cv::Mat ink, turned;
    double level = cv::threshold(gray, ink, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
    cv::transpose(gray, turned);
    double worst = 0;
    for (const auto& t : horizontal_tracks(gray, 0, level)) worst = std::max(worst, std::abs(t.angle_deg()));
    for (const auto& t : horizontal_tracks(turned, 0, level)) worst = std::max(worst, std::abs(t.angle_deg()));
    return worst;
}

void report(const Method& m, const Method& baseline) {
    std::printf("  %-24s mean error %.4f deg   max %.4f deg   median %.1f ms/page   time ratio to %s %.2f\n", m.name.c_str(),
                mean(m.errors), max_of(m.errors), 1000 * median(m.seconds), baseline.name.c_str(),
                median(m.seconds) / median(baseline.seconds));
}

}  // namespace

int deskew_command(const std::vector<std::string>& argv) {
    cli::Args args(argv, {"--pages", "--seed", "--dpi", "--unpaper-pages"}, {"--no-unpaper"});
    const int pages = args.get_int("--pages", 200, 1, 100000);
    const int unpaper_pages = args.has("--no-unpaper") ? 0 : args.get_int("--unpaper-pages", pages, 0, 100000);
    auto templates = load_templates(default_templates_dir());
    auto data = synth::SynthData::load(default_data_dir());
    PluginHost host(default_plugin_dir());
    host.load_all();
    StageEnvironment env{default_data_dir(), default_models_dir(), default_tessdata_dir()};
    Pipeline measure(host, {{"deskew"}, {{"deskew", {{"straighten", "false"}, {"orientation", "false"}}}}}, env);
    Pipeline full(host, {{"deskew"}, {}}, env);
    std::string tmp = (std::filesystem::temp_directory_path() / "formscan_bench_unpaper").string();
    std::filesystem::create_directories(tmp);

    Method ours{"formscan deskew", {}, {}}, lept{"leptonica", {}, {}}, unpaper{"unpaper", {}, {}};
    Method full_stage{"formscan full stage", {}, {}};
    int orientation_right = 0, perspective_pages = 0;
    std::vector<double> perspective_residuals;
    std::mt19937 rng(static_cast<unsigned>(args.get_int("--seed", 1, 0, 1 << 30)));
    auto dpi_range = cli::split(args.get("--dpi", "150-300"), '-');
    const double dpi_lo = std::stod(dpi_range.front()), dpi_hi = std::stod(dpi_range.back());
    synth::RenderOptions render;
    synth::DamageOptions damage;  // every kind of damage on
    const std::vector<std::string> ids = {"zj-hedui", "zj-dengji"};
    for (int i = 0; i < pages; ++i) {
        const FormTemplate& form = templates.at(ids[i % ids.size()]);
        double dpi = std::round(std::uniform_real_distribution<double>(dpi_lo, dpi_hi)(rng));
        synth::PageTruth truth;
        cv::Mat clean = synth::render_form(form, data, render, dpi, rng, truth);
        synth::DamagedScan scan = synth::damage_scan(clean, damage, rng);

        if (const char* only = std::getenv("FORMSCAN_BENCH_ONLY"); only && std::atoi(only) != i) continue;
        // The whole stage on the scan as it came: orientation, skew, perspective.
        Page page;
        page.image = scan.gray.clone();
        full_stage.seconds.push_back(time_once([&] { full.run(page, form); }));
        orientation_right += page.orientation_deg == scan.orientation_deg;
        if (page.orientation_deg != scan.orientation_deg)
        {
            std::fprintf(stderr, "page %d (%s, %g dpi): orientation %d, found %d\n", i, form.id.c_str(), dpi, scan.orientation_deg,
                         page.orientation_deg);
            if (const char* dump = std::getenv("FORMSCAN_BENCH_DUMP")) {
                cv::imwrite(std::string(dump) + "/orientation_" + std::to_string(i) + "_scan.png", scan.gray);
                cv::imwrite(std::string(dump) + "/orientation_" + std::to_string(i) + "_out.png", page.image);
            }
        }
        if (scan.perspective) {
            ++perspective_pages;
            perspective_residuals.push_back(residual_line_angle(page.image));
            if (perspective_residuals.back() > 0.05) {
                std::fprintf(stderr, "page %d (%s): lines off by %.3f deg after straightening\n", i, form.id.c_str(),
                             perspective_residuals.back());
                if (const char* dump = std::getenv("FORMSCAN_BENCH_DUMP"))
                    cv::imwrite(std::string(dump) + "/perspective_" + std::to_string(i) + ".png", page.image);
            }
            continue;  // a warped page has no single angle to compare
        }
        full_stage.errors.push_back(std::abs(page.skew_deg - scan.skew_deg));

        // Angle measurement alone, on the page with its quarter turn undone.
        cv::Mat upright = undo_turn(scan.gray, scan.orientation_deg);
        Page measured;
        measured.image = upright.clone();
        ours.seconds.push_back(time_once([&] { measure.run(measured, form); }));
        ours.errors.push_back(std::abs(measured.skew_deg - scan.skew_deg));
        double angle = 0;
        lept.seconds.push_back(time_once([&] { angle = leptonica_skew(upright); }));
        lept.errors.push_back(std::abs(angle - scan.skew_deg));
        if (static_cast<int>(unpaper.errors.size()) < unpaper_pages) {
            std::string in = tmp + "/in.pgm", out = tmp + "/out.pgm";
            cv::imwrite(in, upright);
            double seconds = 0;
            double a = unpaper_skew(in, out, seconds);
            unpaper.errors.push_back(std::abs(a - scan.skew_deg));
            unpaper.seconds.push_back(seconds);
        }
        if ((i + 1) % 20 == 0) std::fprintf(stderr, "\r%d/%d pages", i + 1, pages);
    }
    std::fprintf(stderr, "\n");
    std::printf("deskew benchmark: %d synthetic pages (%s and %s alternating, %g-%g dpi, all scan damage on)\n", pages,
                ids[0].c_str(), ids[1].c_str(), dpi_lo, dpi_hi);
    std::printf("skew measured on the %zu pages without a perspective warp, quarter turns undone first:\n", ours.errors.size());
    report(ours, lept);
    report(lept, lept);
    if (!unpaper.errors.empty()) {
        std::printf("  (unpaper on the first %zu of them)\n", unpaper.errors.size());
        report(unpaper, lept);
    }
    std::printf("the whole deskew stage on the scans as they came (orientation, skew, perspective, rotation):\n");
    report(full_stage, lept);
    std::printf("  orientation right on %d of %d pages\n", orientation_right, pages);
    if (perspective_pages)
        std::printf("  %d pages with a perspective warp: after straightening, their ruling lines deviate from the axes by "
                    "%.4f deg on average, %.4f deg at most\n",
                    perspective_pages, mean(perspective_residuals), max_of(perspective_residuals));
    return 0;
}

}  // namespace formscan::bench
