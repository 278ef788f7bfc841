#include "bench_util.hpp"

#include "formscan/form_template.hpp"
#include "formscan/paths.hpp"
#include "synth.hpp"

#include <algorithm>
#include <filesystem>
#include <numeric>

namespace formscan::bench {

double time_once(const std::function<void()>& f) {
    auto start = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double mean(const std::vector<double>& v) { return v.empty() ? 0 : std::accumulate(v.begin(), v.end(), 0.0) / double(v.size()); }
double max_of(const std::vector<double>& v) { return v.empty() ? 0 : *std::max_element(v.begin(), v.end()); }

std::string synth_pages(const std::string& dir, int pages, unsigned seed) {
    auto templates = load_templates(default_templates_dir());
    auto data = synth::SynthData::load(default_data_dir());
    synth::SynthOptions options;
    options.out_dir = dir + "/scans";
    options.pages = pages;
    options.seed = seed;
    options.formats = {"png"};
    options.dpi_min = options.dpi_max = 300;
    synth::synthesize(templates, data, options);
    std::filesystem::remove(options.out_dir + "/truth.jsonl");
    return options.out_dir;
}

}  // namespace formscan::bench
