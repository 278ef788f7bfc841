#include "formscan/plugin_host.hpp"

#include "formscan/error.hpp"
#include "formscan/logging.hpp"

#include <Poco/Exception.h>
#include <Poco/SharedLibrary.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace formscan {

namespace fs = std::filesystem;

void StageDeleter::operator()(Stage* stage) const {
    if (!stage) return;
    meta->destroy(stage);
    if (live) --*live;
}

PluginHost::PluginHost(std::string plugin_dir) {
    std::error_code ec;
    fs::path dir = fs::absolute(plugin_dir, ec);
    plugin_dir_ = (ec ? fs::path(plugin_dir) : dir.lexically_normal()).string();
}

PluginHost::~PluginHost() {
    if (*live_ != 0) {
        // Unloading a library while its objects live would crash later, far from here.
        std::fprintf(stderr, "[formscan.plugin.live_stages] %d stage(s) outlive their PluginHost\n", live_->load());
        std::abort();
    }
}

void PluginHost::load_all() {
    std::error_code ec;
    if (!fs::is_directory(plugin_dir_, ec)) {
        failures_.push_back({plugin_dir_, "[formscan.plugin.no_folder] plugin folder does not exist: " + plugin_dir_});
        return;
    }
    std::vector<fs::path> libraries;
    for (const auto& entry : fs::directory_iterator(plugin_dir_)) {
        const auto name = entry.path().filename().string();
        if (entry.is_regular_file() && name.rfind("libformscan_", 0) == 0 && entry.path().extension() == ".so")
            libraries.push_back(entry.path());
    }
    std::sort(libraries.begin(), libraries.end());
    for (const auto& path : libraries) {
        try {
            load(path.string());
        } catch (const Error& e) {
            failures_.push_back({path.string(), e.what()});
            logger("formscan.plugins").warning(e.what());
        }
    }
}

void PluginHost::load(const std::string& requested) {
    fs::path path(requested);
    if (!path.has_parent_path()) path = fs::path(plugin_dir_) / path;
    path = fs::absolute(path).lexically_normal();
    // Only the configured folder: a plugin elsewhere (the current directory) is never loaded.
    if (path.parent_path() != fs::path(plugin_dir_))
        throw Error("formscan.plugin.outside_folder", path.string() + " is not in the plugin folder " + plugin_dir_);
    if (!fs::exists(path)) throw Error("formscan.plugin.not_found", "no plugin file " + path.string());
    const std::string file = path.string();
    try {
        loader_.loadLibrary(file, kPluginApi);
    } catch (const Poco::LibraryLoadException& e) {
        std::string text = e.displayText();
        if (text.find("No manifest") != std::string::npos)
            throw Error("formscan.plugin.api_mismatch",
                        file + " has no " + kPluginApi + " manifest: it was built for another plugin API version; rebuild it against this formscan");
        throw Error("formscan.plugin.load_failed", file + ": " + text);
    } catch (const Poco::Exception& e) {
        throw Error("formscan.plugin.load_failed", file + ": " + e.displayText());
    }

    std::vector<std::pair<std::string, StageInfo>> found;
    try {
        for (const auto* meta : loader_.manifestFor(file)) {
            Stage* probe = nullptr;
            try {
                probe = meta->create();
                StageInfo info = probe->info();
                meta->destroy(probe);
                found.emplace_back(meta->name(), std::move(info));
            } catch (const std::exception& e) {
                if (probe) meta->destroy(probe);
                throw Error("formscan.plugin.constructor_failed",
                            file + ": creating " + meta->name() + " failed: " + e.what());
            } catch (...) {
                if (probe) meta->destroy(probe);
                throw Error("formscan.plugin.constructor_failed", file + ": creating " + meta->name() + " failed");
            }
        }
        for (const auto& [class_name, info] : found)
            if (stages_.count(info.name))
                throw Error("formscan.plugin.duplicate_stage",
                            file + ": stage \"" + info.name + "\" is already provided by " + stages_.at(info.name).library);
    } catch (...) {
        loader_.unloadLibrary(file);
        throw;
    }
    for (auto& [class_name, info] : found) {
        std::string name = info.name;
        stages_[name] = Entry{file, class_name, std::move(info)};
    }
}

bool PluginHost::has_stage(const std::string& name) const { return stages_.count(name) > 0; }

std::vector<std::string> PluginHost::stage_names() const {
    std::vector<std::string> names;
    for (const auto& [name, entry] : stages_) names.push_back(name);
    return names;
}

const StageInfo& PluginHost::info(const std::string& name) const {
    auto it = stages_.find(name);
    if (it == stages_.end()) throw Error("formscan.plugin.unknown_stage", "no installed stage \"" + name + "\"");
    return it->second.info;
}

std::string PluginHost::library_of(const std::string& name) const {
    auto it = stages_.find(name);
    return it == stages_.end() ? std::string() : it->second.library;
}

StagePtr PluginHost::create(const std::string& name) const {
    auto it = stages_.find(name);
    if (it == stages_.end()) throw Error("formscan.plugin.unknown_stage", "no installed stage \"" + name + "\"");
    const auto& meta = loader_.classFor(it->second.class_name);
    StagePtr stage(meta.create(), StageDeleter{&meta, live_});
    ++*live_;
    return stage;
}

}  // namespace formscan
