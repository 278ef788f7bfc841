// formscan-bench: speed and accuracy benchmarks, each against named baselines run on
// the same pages in the same run. See README.md ("Benchmarks").
#include "formscan/error.hpp"
#include "formscan/logging.hpp"

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

namespace formscan::bench {
int deskew_command(const std::vector<std::string>& args);
int prepare_command(const std::vector<std::string>& args);
int digits_command(const std::vector<std::string>& args);
int read_command(const std::vector<std::string>& args);
int review_command(const std::vector<std::string>& args);
int deliver_command(const std::vector<std::string>& args);
int queue_command(const std::vector<std::string>& args);
}  // namespace formscan::bench

int main(int argc, char** argv) {
    setenv("OMP_THREAD_LIMIT", "1", 0);
    formscan::setup_logging("error");
    const char* usage =
        "usage:\n"
        "  formscan-bench deskew  [--pages N] [--seed N] [--dpi MIN-MAX] [--no-unpaper]\n"
        "      skew error and time per page: formscan's deskew against Leptonica's\n"
        "      pixFindSkewSweepAndSearch (2/1, +/-11 deg in 0.5 deg steps, to 0.005 deg) and unpaper\n"
        "  formscan-bench prepare [--runs N] [--dpi D]\n"
        "      page preparation time for an A4 page, with and without decoding, against decoding alone\n"
        "  formscan-bench digits --data TEST.bin [--model digits.onnx[,other.onnx...]] [--consult-below P]\n"
        "      the digit recogniser's accuracy per source on make_digit_data's test file, and time per digit\n"
        "  formscan-bench read [--pages N] [--runs N] [--seed N] [--formscan PATH]\n"
        "      pages per second of formscan run (1 and 2 threads) against tesseract PAGE out -l chi_sim\n"
        "  formscan-bench review [--items N] [--reviewers N] [--fetches N]\n"
        "      time to claim the next review item with N queued and reviewers at work, against reading one item by id\n"
        "  formscan-bench deliver [--records N] [--runs N]\n"
        "      records per second into the registry on loopback, HTTP and HTTPS, batched and one by one\n"
        "  formscan-bench queue [--pages N] [--runs N] [--queue postgresql:...]\n"
        "      pages per second of formscan worker (1 and 2 readers) against formscan run --threads 1, time in\n"
        "      the queue and storing against reading, memory per reader (a private PostgreSQL unless --queue)\n";
    if (argc < 2) {
        std::cerr << usage;
        return 2;
    }
    std::string command = argv[1];
    std::vector<std::string> args(argv + 2, argv + argc);
    try {
        if (command == "deskew") return formscan::bench::deskew_command(args);
        if (command == "prepare") return formscan::bench::prepare_command(args);
        if (command == "digits") return formscan::bench::digits_command(args);
        if (command == "read") return formscan::bench::read_command(args);
        if (command == "review") return formscan::bench::review_command(args);
        if (command == "deliver") return formscan::bench::deliver_command(args);
        if (command == "queue") return formscan::bench::queue_command(args);
    } catch (const std::exception& e) {
        std::cerr << "formscan-bench " << command << ": " << e.what() << "\n";
        return 2;
    }
    std::cerr << usage;
    return 2;
}
