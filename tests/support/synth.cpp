#include "synth.hpp"

#include "batch_printing.hpp"
#include "formscan/error.hpp"
#include "formscan/record_json.hpp"
#include "random_utils.hpp"

#include <Poco/JSON/Stringifier.h>
#include <cairo-pdf.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <tiffio.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace formscan::synth {

namespace fs = std::filesystem;

namespace {

std::string truth_line(const Record& record, const DamagedScan& scan, double dpi, const std::string& format) {
    auto obj = record_to_json(record);
    auto fields = obj->getObject("fields");
    for (const auto& f : record.fields) {
        auto fo = fields->getObject(f.key);
        fo->remove("reader");
        fo->remove("box");
        fo->set("class", f.reader);
    }
    Poco::JSON::Object::Ptr scan_info = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    scan_info->set("skew_deg", scan.skew_deg);
    scan_info->set("orientation_deg", scan.orientation_deg);
    scan_info->set("perspective", scan.perspective);
    scan_info->set("dpi", dpi);
    scan_info->set("format", format);
    obj->set("scan", scan_info);
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(obj, out, Poco::JSON_PRESERVE_KEY_ORDER);
    return out.str();
}

const char* extension(const std::string& format) {
    if (format == "png") return ".png";
    if (format == "jpeg") return ".jpg";
    if (format == "pdf") return ".pdf";
    return ".tif";
}

// What the district's databases know of a resident, as the list to print gives it: who
// they are always; their phone, work and insurance only sometimes, and then now and again
// out of date (another resident's value).
Person listed_part(const Person& full, const Person& other, std::mt19937& rng) {
    Person listed;
    listed.name = full.name;
    listed.sex = full.sex;
    listed.id_number = full.id_number;
    listed.birth_date = full.birth_date;
    listed.ethnicity = full.ethnicity;
    listed.hukou_address = full.hukou_address;
    listed.township = full.township;
    listed.village = full.village;
    auto known = [&](const std::string& value, const std::string& stale, double share) {
        if (value.empty() || !chance(share, rng)) return std::string();
        return chance(0.12, rng) && !stale.empty() ? stale : value;
    };
    listed.phone = known(full.phone, other.phone, 0.6);
    if (full.employer_name.size() > 2 && chance(0.4, rng)) {
        listed.employer_name = full.employer_name;
        listed.employer_type = known(full.employer_type, other.employer_type, 1.0);
    }
    listed.personal_status = known(full.personal_status, other.personal_status, 0.5);
    for (int i = 0; i < 5; ++i) listed.insurance[i] = known(full.insurance[i], other.insurance[i], 0.5);
    return listed;
}

}  // namespace

void write_png(const std::string& path, const cv::Mat& gray) {
    if (!cv::imwrite(path, gray)) throw Error("formscan.synth.write", "cannot write " + path);
}

void write_jpeg(const std::string& path, const cv::Mat& gray, int quality) {
    if (!cv::imwrite(path, gray, {cv::IMWRITE_JPEG_QUALITY, quality})) throw Error("formscan.synth.write", "cannot write " + path);
}

void write_tiff(const std::string& path, const std::vector<cv::Mat>& pages, double dpi, bool bilevel) {
    write_tiff(path, pages, dpi, bilevel ? COMPRESSION_CCITTFAX4 : COMPRESSION_LZW);
}

void write_tiff(const std::string& path, const std::vector<cv::Mat>& pages, double dpi, int compression) {
    const bool bilevel = compression == COMPRESSION_CCITTFAX4 || compression == COMPRESSION_CCITTFAX3 ||
                         compression == COMPRESSION_CCITTRLE;
    TIFF* tif = TIFFOpen(path.c_str(), "w");
    if (!tif) throw Error("formscan.synth.write", "cannot write " + path);
    for (std::size_t i = 0; i < pages.size(); ++i) {
        const cv::Mat& gray = pages[i];
        TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, gray.cols);
        TIFFSetField(tif, TIFFTAG_IMAGELENGTH, gray.rows);
        TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
        TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
        TIFFSetField(tif, TIFFTAG_XRESOLUTION, static_cast<float>(dpi));
        TIFFSetField(tif, TIFFTAG_YRESOLUTION, static_cast<float>(dpi));
        TIFFSetField(tif, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
        if (pages.size() > 1) {
            TIFFSetField(tif, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
            TIFFSetField(tif, TIFFTAG_PAGENUMBER, static_cast<std::uint16_t>(i), static_cast<std::uint16_t>(pages.size()));
        }
        if (bilevel) {
            TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 1);
            TIFFSetField(tif, TIFFTAG_COMPRESSION, compression);
            TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);
            TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, gray.rows);
            // As bilevel scanners do: a threshold between paper and ink, not a fixed one.
            cv::Mat unused;
            double level = std::min(200.0, cv::threshold(gray, unused, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU) + 25);
            std::vector<unsigned char> row((gray.cols + 7) / 8);
            for (int y = 0; y < gray.rows; ++y) {
                std::fill(row.begin(), row.end(), 0);
                const unsigned char* src = gray.ptr<unsigned char>(y);
                for (int x = 0; x < gray.cols; ++x)
                    if (src[x] < level) row[x >> 3] |= static_cast<unsigned char>(0x80 >> (x & 7));
                if (TIFFWriteScanline(tif, row.data(), static_cast<std::uint32_t>(y), 0) < 0) break;
            }
        } else {
            TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 8);
            TIFFSetField(tif, TIFFTAG_COMPRESSION, compression);
            TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
            TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, 64);
            for (int y = 0; y < gray.rows; ++y)
                if (TIFFWriteScanline(tif, const_cast<unsigned char*>(gray.ptr<unsigned char>(y)), static_cast<std::uint32_t>(y), 0) < 0) break;
        }
        TIFFWriteDirectory(tif);
    }
    TIFFClose(tif);
}

void write_pdf(const std::string& path, const std::vector<cv::Mat>& pages, double dpi) {
    if (pages.empty()) return;
    double pt = 72.0 / dpi;
    cairo_surface_t* pdf = cairo_pdf_surface_create(path.c_str(), pages[0].cols * pt, pages[0].rows * pt);
    cairo_t* cr = cairo_create(pdf);
    for (const auto& gray : pages) {
        cairo_pdf_surface_set_size(pdf, gray.cols * pt, gray.rows * pt);
        cairo_surface_t* img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, gray.cols, gray.rows);
        cairo_surface_flush(img);
        unsigned char* data = cairo_image_surface_get_data(img);
        int stride = cairo_image_surface_get_stride(img);
        for (int y = 0; y < gray.rows; ++y) {
            const unsigned char* src = gray.ptr<unsigned char>(y);
            auto* dst = reinterpret_cast<std::uint32_t*>(data + y * stride);
            for (int x = 0; x < gray.cols; ++x) dst[x] = 0xFF000000u | (src[x] << 16) | (src[x] << 8) | src[x];
        }
        cairo_surface_mark_dirty(img);
        cairo_save(cr);
        cairo_scale(cr, pt, pt);
        cairo_set_source_surface(cr, img, 0, 0);
        cairo_paint(cr);
        cairo_restore(cr);
        cairo_show_page(cr);
        cairo_surface_destroy(img);
    }
    cairo_destroy(cr);
    cairo_surface_finish(pdf);
    cairo_status_t status = cairo_surface_status(pdf);
    cairo_surface_destroy(pdf);
    if (status != CAIRO_STATUS_SUCCESS) throw Error("formscan.synth.write", "cannot write " + path);
}

SynthSummary synthesize(const std::map<std::string, FormTemplate>& templates, const SynthData& data,
                        const SynthOptions& options) {
    for (const auto& id : options.templates)
        if (!templates.count(id)) throw Error("formscan.synth.template", "no template \"" + id + "\"");
    for (const auto& f : options.formats)
        if (f != "png" && f != "jpeg" && f != "tiff-g4" && f != "tiff-lzw" && f != "pdf")
            throw Error("formscan.synth.format", "unknown format \"" + f + "\" (png, jpeg, tiff-g4, tiff-lzw, pdf)");
    if (options.formats.empty() || options.templates.empty()) throw Error("formscan.synth.options", "no formats or templates");
    std::error_code ec;
    fs::create_directories(options.out_dir, ec);
    if (ec) throw Error("formscan.synth.write", "cannot create " + options.out_dir + ": " + ec.message());

    SynthSummary summary;
    summary.truth_path = (fs::path(options.out_dir) / "truth.jsonl").string();
    std::ofstream truth(summary.truth_path);
    if (!truth) throw Error("formscan.synth.write", "cannot write " + summary.truth_path);

    std::mt19937 rng(options.seed);
    // Printed pages: the list, the print, and the order the pages come back in.
    std::vector<ListedPerson> listed;
    std::vector<Person> answers;
    std::vector<int> pile;
    const BatchLayout layout{options.printed_batch, options.printed_rows};
    if (!options.printed_batch.empty()) {
        if (options.templates.size() != 1) throw Error("formscan.synth.options", "printed pages are of one template");
        const FormTemplate& form = templates.at(options.templates[0]);
        const int rows = form.kind == "sheet" ? 1 : options.printed_rows;
        for (int page = 0; page < options.pages; ++page) {
            const std::string township = pick(form.vocabulary("townships"), rng), village = random_village(rng);
            for (int r = 0; r < rows; ++r) {
                answers.push_back(random_person(form, township, village, rng));
                const Person other = random_person(form, township, village, rng);
                listed.push_back({"P" + std::to_string(listed.size() + 1), listed_part(answers.back(), other, rng)});
            }
            pile.push_back(page);
        }
        std::shuffle(pile.begin(), pile.end(), rng);
        // Beside the scans' folder, not in it: the print is no scan.
        fs::path scans = fs::path(options.out_dir).lexically_normal();
        if (!scans.has_filename()) scans = scans.parent_path();  // "out/" names the folder "out"
        const fs::path print_dir = scans.string() + "-print";
        fs::create_directories(print_dir, ec);
        if (ec) throw Error("formscan.synth.write", "cannot create " + print_dir.string() + ": " + ec.message());
        print_batch(form, data, layout, listed, (print_dir / "printed.pdf").string());
    }
    int page_no = 0;
    while (page_no < options.pages) {
        const std::string format = options.formats[std::uniform_int_distribution<std::size_t>(0, options.formats.size() - 1)(rng)];
        bool tiff = format.rfind("tiff", 0) == 0;
        int in_file = (tiff && options.multipage > 1) ? std::min(options.multipage, options.pages - page_no) : 1;
        // One print run and one scanner setting per file.
        double dpi = std::round(uni(options.dpi_min, options.dpi_max, rng));
        char name[64];
        std::snprintf(name, sizeof name, "scan_%04d%s", page_no + 1, extension(format));
        std::vector<cv::Mat> images;
        std::vector<std::string> lines;
        for (int i = 0; i < in_file; ++i, ++page_no) {
            const FormTemplate& form = templates.at(options.templates[page_no % options.templates.size()]);
            PageTruth page_truth;
            cv::Mat clean;
            if (options.printed_batch.empty()) {
                clean = render_form(form, data, options.render, dpi, rng, page_truth);
            } else {
                const int batch_page = pile[static_cast<std::size_t>(page_no)];
                const unsigned fill_seed = static_cast<unsigned>(rng());
                clean = render_page(form.page_width_mm, form.page_height_mm, dpi, [&](cairo_t* cr) {
                    page_truth = draw_batch_page(cr, form, data, layout, listed, batch_page, &answers, fill_seed, options.render.digits);
                });
                const PageCode code = batch_page_code(form, layout, listed, batch_page);
                for (std::size_t r = 0; r < page_truth.records.size(); ++r) {
                    page_truth.records[r].batch = layout.batch;
                    page_truth.records[r].batch_page = batch_page + 1;
                    page_truth.records[r].person_key = r < code.row_keys.size() ? code.row_keys[r] : "";
                }
            }
            DamagedScan scan = damage_scan(clean, options.damage, rng);
            images.push_back(scan.gray);
            for (auto& record : page_truth.records) {
                record.source = name;
                record.page = i;
                record.template_id = form.id;
                record.page_skew_deg = scan.skew_deg;
                record.page_orientation_deg = scan.orientation_deg;
                lines.push_back(truth_line(record, scan, dpi, format));
            }
        }
        std::string path = (fs::path(options.out_dir) / name).string();
        if (format == "png") write_png(path, images[0]);
        else if (format == "jpeg") write_jpeg(path, images[0], static_cast<int>(uni(45, 92, rng)));
        else if (format == "pdf") write_pdf(path, images, dpi);
        else write_tiff(path, images, dpi, format == "tiff-g4");
        for (const auto& line : lines) truth << line << '\n';
        summary.records += static_cast<int>(lines.size());
        summary.pages += in_file;
        ++summary.files;
    }
    return summary;
}

}  // namespace formscan::synth
