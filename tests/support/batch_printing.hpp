#pragma once
// The pages `formscan print` makes from the district's list: `rows` people a page (one a
// sheet on the 登记表), every page with its code (QR) and corner marks, and a manifest of
// what each row holds. The synthesiser draws the same pages again and fills them in, as
// a surveyor would, to measure how printed pages read back.
#include "form_renderer.hpp"
#include "formscan/page_code.hpp"

#include <string>
#include <vector>

namespace formscan::synth {

// One person of the list, with the list's own key for them.
struct ListedPerson {
    std::string key;
    Person person;
};

struct BatchLayout {
    std::string batch = "B1";
    int rows = 10;  // people a page (1 on a one-person sheet)
};

int batch_page_count(const FormTemplate& form, const BatchLayout& layout, std::size_t people);
PageCode batch_page_code(const FormTemplate& form, const BatchLayout& layout, const std::vector<ListedPerson>& people, int page);

// Draws page `page` (0-based) of the batch on `cr` (user space millimetres, a white page).
// Every page of a batch has the print's one layout. With `answers` (one per listed person
// of the whole list, in order) the page is also filled in by hand; see RenderOptions.
PageTruth draw_batch_page(cairo_t* cr, const FormTemplate& form, const SynthData& data, const BatchLayout& layout,
                          const std::vector<ListedPerson>& people, int page, const std::vector<Person>* answers = nullptr,
                          unsigned fill_seed = 1, DigitSplit digits = DigitSplit::train);

// Writes the batch as a PDF (fonts embedded) and, beside it, PDF.batch.jsonl: one record
// per printed row with what was printed on it. Throws formscan::Error print.* when the
// file cannot be written. With nobody listed, `blank_pages` pages to fill in by hand.
// Returns the number of pages.
int print_batch(const FormTemplate& form, const SynthData& data, const BatchLayout& layout,
                const std::vector<ListedPerson>& people, const std::string& pdf_path, int blank_pages = 0);

}  // namespace formscan::synth
