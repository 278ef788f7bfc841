#include "test_support.hpp"
#include <cstdlib>
#include <stdexcept>
#include <unistd.h>

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

TestPostgres::TestPostgres() {
    auto run = [](const std::string& command) {
        if (std::system(command.c_str()) != 0) throw std::runtime_error("failed: " + command);
    };
    dir_ = temp_dir("pg");
    std::string bin;
    for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql"))
        if (std::filesystem::exists(entry.path() / "bin/initdb")) bin = (entry.path() / "bin").string();
    if (bin.empty()) throw std::runtime_error("PostgreSQL's server is not installed (scripts/setup-deps.sh installs it)");
    const std::string as = geteuid() == 0 ? "runuser -u postgres -- " : "";
    if (geteuid() == 0) run("chown postgres " + dir_);
    run(as + bin + "/initdb -D " + dir_ + "/data -A trust -U formscan >" + dir_ + "/initdb.log 2>&1");
    run(as + bin + "/pg_ctl -D " + dir_ + "/data -w -l " + dir_ + "/server.log -o \"-c listen_addresses='' -k " + dir_ +
        " -p 54329\" start >/dev/null");
    stop_ = as + bin + "/pg_ctl -D " + dir_ + "/data -m fast stop >/dev/null";
}

TestPostgres::~TestPostgres() { std::system(stop_.c_str()); }

std::string TestPostgres::url() const { return "postgresql:host=" + dir_ + " port=54329 user=formscan dbname=postgres"; }

}  // namespace formscan::test
