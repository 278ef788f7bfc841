#pragma once
// Helpers shared by the test binaries: paths of the build, templates, temporary
// folders, running the formscan executable.
#include "formscan/form_template.hpp"
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

// A private PostgreSQL server for one test: its own cluster in a temporary folder,
// reached through a Unix socket there (no TCP port). Run as the postgres user when the
// tests run as root (initdb refuses root). Stopped when destroyed.
class TestPostgres {
public:
    TestPostgres();
    ~TestPostgres();
    std::string url() const;  // for ReviewStore and the registry

private:
    std::string dir_, stop_;
};

}  // namespace formscan::test
