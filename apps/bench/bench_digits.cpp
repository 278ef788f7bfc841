// The digit recogniser on its test data (models/digits/make_digit_data --split test):
// accuracy per source and time per digit, against the time of normalising the crops.
#include "bench_util.hpp"
#include "cli_args.hpp"
#include "digit_reader.hpp"

#include "formscan/error.hpp"
#include "formscan/paths.hpp"

#include <cstdio>
#include <cstring>
#include <fstream>

namespace formscan::bench {

int digits_command(const std::vector<std::string>& argv) {
    cli::Args args(argv, {"--data", "--model", "--runs", "--consult-below"}, {});
    std::ifstream in(args.get("--data"), std::ios::binary);
    char magic[8];
    if (!in.read(magic, 8) || std::memcmp(magic, "FSDIGIT2", 8) != 0)
        throw Error("formscan.bench.data", "--data must be a file made by make_digit_data");
    std::uint32_t count = 0;
    in.read(reinterpret_cast<char*>(&count), 4);
    std::vector<int> labels(count), sources(count);
    std::vector<cv::Mat> crops(count);
    for (std::uint32_t i = 0; i < count; ++i) {
        labels[i] = in.get();
        sources[i] = in.get();
        crops[i].create(28, 28, CV_8UC1);
        in.read(reinterpret_cast<char*>(crops[i].data), 784);
    }
    // --model A.onnx[,B.onnx...]: several are averaged.
    DigitReader reader(DigitReader::model_files(args.get("--model", default_models_dir() + "/digits/digits.onnx")),
                       std::stod(args.get("--consult-below", "2")));
    std::vector<std::vector<float>> probs;
    std::vector<double> times;
    for (int r = 0; r < args.get_int("--runs", 3, 1, 100); ++r)
        times.push_back(time_once([&] {
            probs.clear();
            for (std::uint32_t i = 0; i < count; i += 256) {
                std::vector<cv::Mat> batch(crops.begin() + i, crops.begin() + std::min<std::uint32_t>(count, i + 256));
                auto p = reader.classify(batch);
                probs.insert(probs.end(), p.begin(), p.end());
            }
        }));
    long n[3] = {}, right[3] = {};  // MNIST digits, scan digits, rejects
    for (std::uint32_t i = 0; i < count; ++i) {
        int best = static_cast<int>(std::max_element(probs[i].begin(), probs[i].end()) - probs[i].begin());
        int group = labels[i] == 10 ? 2 : sources[i] == 0 ? 0 : 1;
        ++n[group];
        right[group] += best == labels[i];
    }
    const char* names[3] = {"held-out MNIST digits", "digits cut from synthetic test scans", "rejects (ticks, separators)"};
    std::printf("digit recogniser on %u test crops:\n", count);
    for (int g = 0; g < 3; ++g)
        if (n[g]) std::printf("  %-40s %6ld crops  accuracy %.4f\n", names[g], n[g], double(right[g]) / n[g]);
    std::printf("  %.3f ms per crop in batches of 256 (median of %zu runs)\n", 1000 * median(times) / count, times.size());
    return 0;
}

}  // namespace formscan::bench
