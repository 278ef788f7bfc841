// libFuzzer target: decoding any bytes as a scan, then preparing each page (the
// deskew stage: borders, orientation, skew, perspective) as formscan run would.
// Built only with clang (-DFORMSCAN_FUZZ=ON, see scripts/fuzz.sh).
#include "formscan/error.hpp"
#include "formscan/form_template.hpp"
#include "formscan/image_io.hpp"
#include "formscan/paths.hpp"
#include "formscan/pipeline.hpp"

#include <cstdint>
#include <memory>

namespace {

struct Harness {
    std::map<std::string, formscan::FormTemplate> templates = formscan::load_templates(formscan::default_templates_dir());
    formscan::PluginHost host{formscan::default_plugin_dir()};
    std::unique_ptr<formscan::Pipeline> prepare;
    Harness() {
        host.load_all();
        prepare = std::make_unique<formscan::Pipeline>(host, formscan::PipelineSpec{{"deskew"}, {}}, formscan::StageEnvironment{});
    }
};

Harness& harness() {
    static Harness* h = new Harness;  // never destroyed: stages must not outlive the host at exit
    return *h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    formscan::DecodeLimits limits;
    limits.max_bytes = 4 << 20;
    limits.max_pixels = 4'000'000;
    limits.max_pages = 4;
    limits.pdf_render_dpi = 36;
    Harness& h = harness();
    try {
        auto file = formscan::ScanFile::open_memory(std::string(reinterpret_cast<const char*>(data), size), "fuzz", limits);
        for (int i = 0; i < file->page_count(); ++i) {
            try {
                formscan::Page page;
                page.image = file->decode(i).gray;
                if (page.image.empty()) continue;
                h.prepare->run(page, h.templates.at("zj-hedui"));
            } catch (const std::exception&) {
                // As in the batch runner: the page is reported and skipped.
            }
        }
    } catch (const formscan::Error&) {
        // A clear error for bad input is the expected outcome; anything else escaping
        // the decoder is a bug the fuzzer reports.
    }
    return 0;
}
