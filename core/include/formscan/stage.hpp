#pragma once
// The one interface every plugin stage implements. Plugins export their classes with
//   POCO_BEGIN_NAMED_MANIFEST(FormscanV2, formscan::Stage)
//       POCO_EXPORT_CLASS(MyStage)
//   POCO_END_MANIFEST
// The manifest name is the plugin API version: the host loads only "FormscanV2", so a
// plugin built for another version fails to load with a clear message. Bump the name
// (and kPluginApi) whenever this header, Page, Field, Record or FormTemplate changes.
//
// Threading: the pipeline creates one instance of every stage per worker thread, so a
// stage instance is only ever used by one thread and may keep per-thread state (a
// TessBaseAPI, a loaded network) in members.
#include "formscan/field.hpp"
#include "formscan/form_template.hpp"
#include "formscan/page.hpp"
#include "formscan/params.hpp"

#include <algorithm>
#include <string>
#include <vector>

#define FORMSCAN_PLUGIN_API FormscanV2
#define FORMSCAN_EXPORT __attribute__((visibility("default")))

namespace formscan {

inline constexpr const char* kPluginApi = "FormscanV2";

// What a page has, as stages add it. A stage's needs must have been added by stages
// before it; the first stage sees only kHasImage.
inline constexpr const char* kHasImage = "page.image";
inline constexpr const char* kHasStraightened = "page.straightened";
inline constexpr const char* kHasCells = "page.cells";
inline constexpr const char* kHasRecords = "records";
inline constexpr const char* kHasMarks = "records.marks";
inline constexpr const char* kHasText = "records.text";
inline constexpr const char* kHasDigits = "records.digits";
inline constexpr const char* kHasValidated = "records.validated";

struct StageInfo {
    std::string name;         // e.g. "deskew": what pipelines and -D options call it
    std::string version;      // the stage's own version, e.g. "1.0.0"
    std::string description;  // one line
    std::vector<std::string> needs;
    std::vector<std::string> adds;
    std::vector<ParamSpec> params;
};

// Paths and shared resources a stage may use; valid for the stage's lifetime.
struct StageEnvironment {
    std::string data_dir;      // prepared data (build/data)
    std::string models_dir;    // trained models (models/)
    std::string tessdata_dir;  // Tesseract's traineddata folder
};

struct PageContext {
    Page& page;
    const FormTemplate& form;
    std::vector<Record>& records;
};

// Pixels per millimetre of the page: from its resolution, else estimated from the form's
// printed size (the straightened canvas is a little larger).
inline double pixels_per_mm(const PageContext& ctx) {
    if (ctx.page.dpi >= 50) return ctx.page.dpi / 25.4;
    const double long_side_px = std::max(ctx.page.image.cols, ctx.page.image.rows);
    const double long_side_mm = std::max(ctx.form.page_width_mm, ctx.form.page_height_mm);
    return long_side_px / std::max(1.0, long_side_mm);
}

class FORMSCAN_EXPORT Stage {
public:
    virtual ~Stage() = default;
    virtual StageInfo info() const = 0;
    // Called once, before the first page, with validated parameters.
    virtual void configure(const ParamValues& params, const StageEnvironment& env) {}
    // Problems with the page's data go into page.issues and field confidences; throw
    // only when the page cannot be processed at all (the batch then skips that page).
    virtual void process(PageContext& context) = 0;
};

// A record with every field of the template present and empty, status review.
Record make_empty_record(const FormTemplate& form, const Page& page, int row);

}  // namespace formscan
