#pragma once
// Helpers shared by the test binaries: paths of the build, templates, temporary
// folders, running the formscan executable.
#include "formscan/form_template.hpp"
#include "private_postgres.hpp"
#include "synth_data.hpp"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace formscan::test {

std::string plugin_dir();         // the real plugins
std::string fixture_plugin_dir(); // test-only plugins
std::string templates_dir();
const std::map<std::string, FormTemplate>& templates();
const synth::SynthData& synth_data();  // loaded once

// Synthetic 核对表 scans in DIR/scans (with DIR/scans/truth.jsonl), upright, of at most
// `max_rows` rows (quick to read); returns the folder.
std::string make_scans(const std::string& dir, int pages, unsigned seed, int max_rows,
                       const std::vector<std::string>& formats = {"png"}, int multipage = 1);

// A fresh empty folder under the system temp dir, removed at process exit.
std::string temp_dir(const std::string& tag);

struct CommandResult {
    int status = -1;
    std::string out, err;
};
// Runs the formscan executable with arguments, capturing its output.
CommandResult run_formscan(const std::vector<std::string>& args);

// What `f` throws as a formscan::Error: its message (with the code), or its code;
// "no error" when it throws nothing.
std::string error_message(const std::function<void()>& f);
std::string error_code(const std::function<void()>& f);

std::string read_text(const std::string& path);
void write_text(const std::string& path, const std::string& text);

// A private PostgreSQL server for one test (private_postgres.hpp).
using TestPostgres = PrivatePostgres;

// The formscan executable running in the background (with the environment run_formscan
// gives it), after `prefix` (e.g. {"ip", "netns", "exec", "ns1"}); its stderr goes to a
// file. Killed with SIGKILL when destroyed while still running.
class FormscanProcess {
public:
    explicit FormscanProcess(const std::vector<std::string>& args, const std::vector<std::string>& prefix = {});
    ~FormscanProcess();
    FormscanProcess(const FormscanProcess&) = delete;
    FormscanProcess& operator=(const FormscanProcess&) = delete;
    int pid() const { return pid_; }
    void kill(int signal);
    // Waits for the end; the status as waitpid gives it (WIFEXITED...), -1 after `timeout_s`
    // (it is killed when the FormscanProcess is destroyed).
    int wait(double timeout_s = 600);
    std::string err() const;

private:
    int pid_ = -1;
    std::string err_path_;
};

}  // namespace formscan::test
