// Reading speed of whole 核对表 pages: `formscan run` (one thread, then two) against the
// plain Tesseract command line on the same pages (`tesseract PAGE out -l chi_sim`, one
// thread), each as medians of several runs. Both are timed as the commands a user runs,
// start-up included: formscan once for the folder, tesseract once per page (as it is used).
#include "bench_util.hpp"
#include "cli_args.hpp"

#include "formscan/form_template.hpp"
#include "formscan/paths.hpp"
#include "synth.hpp"

#include <Poco/Environment.h>
#include <Poco/Pipe.h>
#include <Poco/Process.h>

#include <cstdio>
#include <filesystem>

namespace formscan::bench {

namespace {

// Runs a command to its end with OMP_THREAD_LIMIT=1, its output discarded; throws when it fails.
void run_quietly(const std::string& command, const std::vector<std::string>& args) {
    Poco::Pipe out;
    Poco::Process::Env env{{"OMP_THREAD_LIMIT", "1"}};
    Poco::ProcessHandle h = Poco::Process::launch(command, args, ".", nullptr, &out, &out, env);
    out.close(Poco::Pipe::CLOSE_WRITE);
    char buf[4096];
    while (out.readBytes(buf, sizeof buf) > 0) {
    }
    int rc = h.wait();
    if (rc != 0 && !(command.find("formscan") != std::string::npos && rc == 3))  // 3: some page reported bad
        throw std::runtime_error(command + " exited with " + std::to_string(rc));
}

}  // namespace

int read_command(const std::vector<std::string>& argv) {
    cli::Args args(argv, {"--pages", "--runs", "--seed", "--formscan"}, {});
    const int pages = args.get_int("--pages", 6, 1, 1000);
    const int runs = args.get_int("--runs", 3, 1, 100);
    const std::string formscan = args.get("--formscan", (std::filesystem::path(default_plugin_dir()).parent_path() / "bin/formscan").string());
    const std::string dir = (std::filesystem::temp_directory_path() / "formscan_bench_read").string();
    std::filesystem::remove_all(dir);
    const std::string scans = synth_pages(dir, pages, static_cast<unsigned>(args.get_int("--seed", 11, 0, 1 << 30)));
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(scans))
        if (e.path().extension() == ".png") files.push_back(e.path().string());
    std::sort(files.begin(), files.end());

    std::vector<double> tess, one, two;
    for (int r = 0; r < runs; ++r) {
        tess.push_back(time_once([&] {
            for (const auto& f : files) run_quietly("tesseract", {f, dir + "/tesseract_out", "-l", "chi_sim"});
        }));
        one.push_back(time_once([&] {
            run_quietly(formscan, {"run", "--fresh", "--template", "zj-hedui", "--threads", "1", "--out", dir + "/one.jsonl", scans});
        }));
        two.push_back(time_once([&] {
            run_quietly(formscan, {"run", "--fresh", "--template", "zj-hedui", "--threads", "2", "--out", dir + "/two.jsonl", scans});
        }));
    }
    const double n = static_cast<double>(files.size());
    const double base = n / median(tess);
    std::printf("reading %zu 核对表 pages (A4, 300 dpi, PNG), median of %d runs:\n", files.size(), runs);
    std::printf("  tesseract PAGE out -l chi_sim (1 thread, baseline) %6.3f pages/s (%.2f s/page)\n", base, 1 / base);
    for (auto& [name, times] : {std::pair{"formscan run --threads 1", &one}, std::pair{"formscan run --threads 2", &two}}) {
        double rate = n / median(*times);
        std::printf("  %-49s %6.3f pages/s (%.2f s/page)  x%.2f the baseline\n", name, rate, 1 / rate, rate / base);
    }
    std::filesystem::remove_all(dir);
    return 0;
}

}  // namespace formscan::bench
