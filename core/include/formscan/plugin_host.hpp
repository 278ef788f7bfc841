#pragma once
// Loads stage plugins from one configured folder (never the current directory) with
// Poco's ClassLoader and the FormscanV2 manifest. Stages are handed out as StagePtr,
// whose deleter returns the object to its class. Every StagePtr must be destroyed
// before its PluginHost; the host checks this and aborts loudly otherwise.
#include "formscan/stage.hpp"

#include <Poco/ClassLoader.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace formscan {

struct StageDeleter {
    const Poco::AbstractMetaObject<Stage>* meta = nullptr;
    std::shared_ptr<std::atomic<int>> live;
    void operator()(Stage* stage) const;
};
using StagePtr = std::unique_ptr<Stage, StageDeleter>;

struct PluginLoadFailure {
    std::string path;
    std::string message;  // includes the error code
};

class PluginHost {
public:
    explicit PluginHost(std::string plugin_dir);
    ~PluginHost();
    PluginHost(const PluginHost&) = delete;
    PluginHost& operator=(const PluginHost&) = delete;

    // Loads every libformscan_*.so of the folder. A library that fails is recorded in
    // failures() and skipped; the others stay usable.
    void load_all();
    // Loads one library (a path inside the plugin folder, or a file name in it).
    // Throws formscan::Error: plugin.not_found, plugin.api_mismatch, plugin.load_failed,
    // plugin.constructor_failed, plugin.duplicate_stage.
    void load(const std::string& path);

    bool has_stage(const std::string& name) const;
    std::vector<std::string> stage_names() const;     // sorted
    const StageInfo& info(const std::string& name) const;
    std::string library_of(const std::string& name) const;
    StagePtr create(const std::string& name) const;   // throws plugin.unknown_stage
    const std::vector<PluginLoadFailure>& failures() const { return failures_; }
    const std::string& plugin_dir() const { return plugin_dir_; }

private:
    struct Entry {
        std::string library;
        std::string class_name;
        StageInfo info;
    };
    std::string plugin_dir_;
    Poco::ClassLoader<Stage> loader_;
    std::map<std::string, Entry> stages_;
    std::vector<PluginLoadFailure> failures_;
    std::shared_ptr<std::atomic<int>> live_ = std::make_shared<std::atomic<int>>(0);
};

}  // namespace formscan
