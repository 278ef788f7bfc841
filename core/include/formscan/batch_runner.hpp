#pragma once
// Runs pipelines over many scans: inputs are walked in name order, pages are decoded
// one at a time by a reader thread into a bounded queue (so memory stays bounded by
// the number of threads, not the size of the batch), read by N workers, and the
// records are written in input order. A page that fails is reported and skipped.
#include "formscan/config.hpp"
#include "formscan/form_template.hpp"
#include "formscan/plugin_host.hpp"

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace formscan {

struct BatchOptions {
    std::vector<std::string> inputs;  // files or folders
    std::string template_id = "auto"; // or a template id
    int threads = 1;
    bool progress = false;            // progress line on stderr (only on a terminal)
    std::string debug_dir;            // when set: each straightened page with its cells drawn, as PNG
    std::string store_url;            // when set: pages, records and review items also go to this review store
    std::string journal_path;         // when set: pages done are journalled there, and taken from it on a rerun (journal.hpp)
    std::string journal_settings;     // what makes a rerun the same run (template, configuration, inputs)
};

struct SkippedInput {
    std::string source;
    int page = -1;                    // -1: the whole file
    std::string message;
};

struct BatchSummary {
    int files = 0;
    int pages = 0;
    int pages_from_journal = 0;       // of `pages`: done by an earlier, interrupted run
    int records = 0;
    std::vector<SkippedInput> skipped;
    double seconds = 0;
};

// Expands folders recursively (name order) into files; missing paths throw
// formscan::Error input.not_found.
std::vector<std::string> expand_inputs(const std::vector<std::string>& inputs);

// Picks the template for an "auto" page among those that can be read (`readable`, all
// when empty): the only one, or else the one whose printed orientation (landscape 核对表,
// portrait 登记表) matches the scan's.
const FormTemplate& choose_template(const std::map<std::string, FormTemplate>& templates,
                                    const std::string& wanted, const cv::Mat& page,
                                    const std::vector<std::string>& readable = {});

// Reads pages with the pipelines of `config`, each built when its template's first page
// comes (its stages hold their own Tesseract instances): one PageReader per thread.
class PageReader {
public:
    // Keeps references to its arguments: they must outlive it.
    PageReader(const PluginHost& host, const std::map<std::string, FormTemplate>& templates, const RunConfig& config,
               const StageEnvironment& env);
    ~PageReader();
    // The page's records, read with the template `template_id` (or "auto": chosen as
    // choose_template does). Throws what the pipeline throws (the page cannot be read).
    std::vector<Record> read(Page& page, const std::string& template_id);

private:
    const PluginHost& host_;
    const std::map<std::string, FormTemplate>& templates_;
    const RunConfig& config_;
    const StageEnvironment& env_;
    std::vector<std::string> readable_;
    std::map<std::string, std::unique_ptr<Pipeline>> pipelines_;
};

BatchSummary run_batch(const PluginHost& host, const std::map<std::string, FormTemplate>& templates,
                       const RunConfig& config, const StageEnvironment& env,
                       const BatchOptions& options, std::ostream& out);

}  // namespace formscan
