#include "test_support.hpp"
#include "synth.hpp"
#include <cstdlib>
#include <stdexcept>
#include <unistd.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <csignal>
#include <chrono>

#include "formscan/error.hpp"
#include "formscan/paths.hpp"

#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

namespace formscan::test {

namespace fs = std::filesystem;

std::string plugin_dir() { return FORMSCAN_PLUGIN_DIR_FOR_TESTS; }
std::string fixture_plugin_dir() { return FORMSCAN_TEST_PLUGIN_DIR; }
std::string templates_dir() { return FORMSCAN_TEMPLATES_FOR_TESTS; }

const std::map<std::string, FormTemplate>& templates() {
    static const auto loaded = load_templates(templates_dir());
    return loaded;
}

const synth::SynthData& synth_data() {
    static const auto data = synth::SynthData::load(default_data_dir());
    return data;
}

namespace {
struct TempDirs {
    std::vector<fs::path> dirs;
    ~TempDirs() {
        std::error_code ec;
        for (const auto& d : dirs) fs::remove_all(d, ec);
    }
};
TempDirs& temp_dirs() {
    static TempDirs dirs;
    return dirs;
}
}  // namespace

std::string temp_dir(const std::string& tag) {
    std::random_device rd;
    fs::path dir = fs::temp_directory_path() / ("formscan_test_" + tag + "_" + std::to_string(rd()));
    fs::create_directories(dir);
    temp_dirs().dirs.push_back(dir);
    return dir.string();
}

std::string make_scans(const std::string& dir, int pages, unsigned seed, int max_rows, const std::vector<std::string>& formats,
                       int multipage) {
    synth::SynthOptions o;
    o.out_dir = dir + "/scans";
    o.pages = pages;
    o.seed = seed;
    o.formats = formats;
    o.multipage = multipage;
    o.render.max_rows = max_rows;
    o.damage.turn_probability = 0;
    synth::synthesize(templates(), synth_data(), o);
    return o.out_dir;
}

CommandResult run_formscan(const std::vector<std::string>& args) {
    Poco::Pipe out_pipe, err_pipe;
    Poco::Process::Env env;
    env["FORMSCAN_PLUGIN_DIR"] = plugin_dir();
    env["FORMSCAN_TEMPLATES_DIR"] = templates_dir();
    env["FORMSCAN_DATA_DIR"] = default_data_dir();
    env["OMP_THREAD_LIMIT"] = "1";
    Poco::ProcessHandle handle =
        Poco::Process::launch(FORMSCAN_CLI, args, fs::current_path().string(), nullptr, &out_pipe, &err_pipe, env);
    CommandResult result;
    // Read both pipes at once so neither fills up and blocks the child.
    std::thread err_reader([&] {
        Poco::PipeInputStream err(err_pipe);
        Poco::StreamCopier::copyToString(err, result.err);
    });
    Poco::PipeInputStream out(out_pipe);
    Poco::StreamCopier::copyToString(out, result.out);
    err_reader.join();
    result.status = handle.wait();
    return result;
}

std::string error_message(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

std::string error_code(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.code();
    }
    return "no error";
}

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_text(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

FormscanProcess::FormscanProcess(const std::vector<std::string>& args, const std::vector<std::string>& prefix) {
    err_path_ = temp_dir("process") + "/stderr.txt";
    std::vector<std::string> argv = prefix;
    argv.push_back(FORMSCAN_CLI);
    argv.insert(argv.end(), args.begin(), args.end());
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        setenv("FORMSCAN_PLUGIN_DIR", plugin_dir().c_str(), 1);
        setenv("FORMSCAN_TEMPLATES_DIR", templates_dir().c_str(), 1);
        setenv("FORMSCAN_DATA_DIR", default_data_dir().c_str(), 1);
        setenv("OMP_THREAD_LIMIT", "1", 1);
        int err = open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int null = open("/dev/null", O_WRONLY);
        dup2(err, STDERR_FILENO), dup2(null, STDOUT_FILENO);
        std::vector<char*> c_args;
        for (auto& a : argv) c_args.push_back(a.data());
        c_args.push_back(nullptr);
        execvp(c_args[0], c_args.data());
        _exit(127);
    }
}

FormscanProcess::~FormscanProcess() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
}

void FormscanProcess::kill(int signal) {
    if (pid_ > 0) ::kill(pid_, signal);
}

int FormscanProcess::wait(double timeout_s) {
    if (pid_ <= 0) return -1;
    for (double waited = 0;; waited += 0.05) {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return status;
        }
        if (waited > timeout_s) return -1;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

std::string FormscanProcess::err() const { return read_text(err_path_); }

}  // namespace formscan::test
