#include "batch_printing.hpp"

#include "formscan/error.hpp"
#include "formscan/record_json.hpp"

#include <cairo-pdf.h>

#include <fstream>

namespace formscan::synth {

namespace {

constexpr double kPointsPerMm = 72.0 / 25.4;
// Every page of a print run in one layout: the layout's dice start from here on each page.
constexpr unsigned kLayoutSeed = 20150101;

int rows_per_page(const FormTemplate& form, const BatchLayout& layout) { return form.kind == "sheet" ? 1 : layout.rows; }

}  // namespace

int batch_page_count(const FormTemplate& form, const BatchLayout& layout, std::size_t people) {
    const auto rows = static_cast<std::size_t>(rows_per_page(form, layout));
    return static_cast<int>((people + rows - 1) / rows);
}

PageCode batch_page_code(const FormTemplate& form, const BatchLayout& layout, const std::vector<ListedPerson>& people, int page) {
    PageCode code{form.id, form.schema_version, layout.batch, page + 1, {}};
    const int rows = rows_per_page(form, layout);
    for (int r = 0; r < rows; ++r) {
        const auto i = static_cast<std::size_t>(page * rows + r);
        if (i < people.size()) code.row_keys.push_back(people[i].key);
    }
    return code;
}

PageTruth draw_batch_page(cairo_t* cr, const FormTemplate& form, const SynthData& data, const BatchLayout& layout,
                          const std::vector<ListedPerson>& people, int page, const std::vector<Person>* answers,
                          unsigned fill_seed, DigitSplit digits) {
    const int rows = rows_per_page(form, layout);
    std::vector<Person> on_page, answered;
    for (int r = 0; r < rows; ++r) {
        const auto i = static_cast<std::size_t>(page * rows + r);
        if (i >= people.size()) break;
        on_page.push_back(people[i].person);
        if (answers && i < answers->size()) answered.push_back((*answers)[i]);
    }
    RenderOptions options;
    options.fonts = {"Noto Sans CJK SC"};
    options.people = &on_page;
    options.min_rows = rows;  // blank rows to fill in on the batch's last page
    options.page_code = to_text(batch_page_code(form, layout, people, page));
    options.answers = answers ? &answered : nullptr;
    options.fill_seed = fill_seed;
    options.digits = digits;
    std::mt19937 rng(kLayoutSeed);
    return draw_form(cr, form, data, options, rng);
}

int print_batch(const FormTemplate& form, const SynthData& data, const BatchLayout& layout,
                const std::vector<ListedPerson>& people, const std::string& pdf_path, int blank_pages) {
    const int pages = people.empty() ? blank_pages : batch_page_count(form, layout, people.size());
    cairo_surface_t* surface = cairo_pdf_surface_create(pdf_path.c_str(), form.page_width_mm * kPointsPerMm, form.page_height_mm * kPointsPerMm);
    if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(surface);
        throw Error("formscan.print.output", "cannot write " + pdf_path);
    }
    cairo_t* cr = cairo_create(surface);
    std::ofstream manifest(pdf_path + ".batch.jsonl");
    for (int page = 0; page < pages; ++page) {
        cairo_save(cr);
        cairo_scale(cr, kPointsPerMm, kPointsPerMm);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_paint(cr);
        PageTruth printed;
        try {
            printed = draw_batch_page(cr, form, data, layout, people, page);
        } catch (...) {
            cairo_destroy(cr);
            cairo_surface_destroy(surface);
            throw;
        }
        cairo_restore(cr);
        cairo_show_page(cr);
        // What was printed on each row, for checking the pages when they come back.
        const PageCode code = batch_page_code(form, layout, people, page);
        for (std::size_t r = 0; r < printed.records.size(); ++r) {
            Record rec = printed.records[r];
            rec.source = pdf_path;
            rec.template_id = form.id;
            rec.page = page;
            rec.batch = layout.batch;
            rec.batch_page = page + 1;
            rec.person_key = r < code.row_keys.size() ? code.row_keys[r] : "";
            manifest << record_to_json_line(rec) << "\n";
        }
    }
    cairo_destroy(cr);
    cairo_surface_finish(surface);
    const bool ok = cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS && manifest.good();
    cairo_surface_destroy(surface);
    if (!ok) throw Error("formscan.print.output", "cannot write " + pdf_path);
    return pages;
}

}  // namespace formscan::synth
