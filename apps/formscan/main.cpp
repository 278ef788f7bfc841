// formscan: turns scanned survey forms into validated records. See README.md.
#include "commands.hpp"

#include "formscan/error.hpp"
#include "formscan/logging.hpp"
#include "formscan/masking.hpp"

#include <cstdlib>
#include <cstring>
#include <iostream>

namespace {

const char* kUsage = R"(formscan: scanned survey forms -> validated records

usage:
  formscan run [--template ID|auto] [--threads N] [--config FILE] [-D stage.param=value]...
               [--plugins DIR] [--templates DIR] [--no-progress] [--debug-dir DIR]
               [--store sqlite:FILE|postgresql:CONNECTION] [--printed DIR] --out RECORDS.jsonl INPUT...
      Reads scans (PNG, JPEG, TIFF, PDF; folders are walked in name order) and writes
      one JSON record per person (--out - for standard output). A run killed and started
      again with the same arguments continues from the journal FILE.journal (--fresh: anew). Exit 0 when every page
      was read, 3 when some input was skipped (each is reported on stderr), 2 for
      unusable arguments. --store also keeps pages, records and the fields to review
      (with their crops) in a review store. --debug-dir writes each straightened page with its field
      boxes (blue: ok, red: to review) for diagnosing layouts. --printed DIR: the folder of the
      FORMS.pdf.batch.jsonl files formscan print wrote; the values printed on its pages are checked,
      not read blind, and a page whose code is unreadable is known by its printed ID numbers.
  formscan plugins [--plugins DIR]
      Lists every installed stage: version, what it needs and adds, its parameters.
  formscan synth --out DIR [--pages N] [--template zj-hedui|zj-dengji|both] [--seed N]
               [--formats png,jpeg,tiff-g4,tiff-lzw,pdf] [--dpi MIN-MAX] [--multipage N]
               [--digits train|test] [--no-damage] [--max-skew DEG] [--fonts F1,F2] [--rows MIN-MAX]
               [--printed BATCH]
      Writes synthetic filled, scanned forms and their ground truth (DIR/truth.jsonl). With
      --printed: the pages formscan print makes for a random list (--rows N a page), filled in
      by a surveyor (some printed values struck through and written anew, class "corrected"),
      scanned out of order; the print and its manifest go to DIR-print/.
  formscan eval TRUTH.jsonl RECORDS.jsonl [--json]
      Scores records against ground truth.
  formscan calibrate TRUTH.jsonl RECORDS.jsonl --out CALIBRATION.json [--min-samples N] [--silent-budget 0.001] [--templates DIR]
      Fits the confidence calibration (records read without the calibrate stage).
  formscan export RECORDS.jsonl --format csv|xlsx|jsonl --out FILE [--template ID]
      Writes the records of one form with the form's Chinese headings (CSV in UTF-8 with BOM).
      With --store URL instead of RECORDS.jsonl: the records of a review store, corrections included.
  formscan print --template zj-hedui|zj-dengji (--people LIST.csv|LIST.json | --blank PAGES)
               --out FORMS.pdf [--batch ID] [--rows N]
      The 核对表 (N rows a page) or the 登记表 (a sheet a person) as PDF ready to print, pre-filled from the district's list of people
      (CSV with a heading line of record keys, or JSON), with a QR page code (form, batch,
      page, each row's person) and corner marks on every page; FORMS.pdf.batch.jsonl
      records what each row holds. Scanned back, rows carry batch, batch_page, person_key.
  formscan push --store URL --registry URL [--batch N] [--ca CA.pem]
  formscan push --status --store URL
      Sends the validated records waiting in the store's outbox to the district registry
      (token from FORMSCAN_REGISTRY_TOKEN), retrying with backoff; nothing is stored twice.
      Exit 3 when some stay pending. --status: pending, sent, refused (and why).
  formscan serve --store URL [--listen HOST:PORT] [--web DIR] [--lease SECONDS] [--secure-cookies]
      The review station: a browser page where reviewers correct the fields of the store's
      queue, least certain first (default http://127.0.0.1:8080/). Stop with Ctrl+C.
  formscan users add NAME --role operator|reviewer|admin --store URL
  formscan users list|remove [NAME] --store URL
      Who may sign in to the review station (the password from FORMSCAN_PASSWORD or standard input).

  formscan queue add --queue postgresql:CONNECTION [--name BATCH] [--template ID] FOLDER|FILE|URL...
  formscan queue status|retry --queue postgresql:CONNECTION [--name BATCH] [--json]
      The job table of an archive conversion shared by workers on many machines: add
      pages (folders on a shared drive, http(s) URLs); status shows pages pending, in
      progress, done and failed (with why), pages per second and the time left; retry puts
      failed pages back.
  formscan worker --queue postgresql:CONNECTION [--store URL] [--name BATCH] [--workers N]
               [--lease SECONDS] [--max-attempts N] [--exit-when-done] [--push --registry URL]
               [--config FILE] [-D stage.param=value]... [--printed DIR]
      Reads the queue's pages with N readers (one per core) until stopped (Ctrl+C: each
      finishes its page), or until the batch is finished (--exit-when-done). Results go to
      the review store (default: the queue's database); --push delivers them too. A page
      whose reader dies is retried (--max-attempts, default 3), then marked failed.

environment: FORMSCAN_PLUGIN_DIR, FORMSCAN_TEMPLATES_DIR, FORMSCAN_DATA_DIR,
             FORMSCAN_MODELS_DIR, TESSDATA_PREFIX, FORMSCAN_LOG_LEVEL (default warning)
)";

}  // namespace

int main(int argc, char** argv) {
    // Pages are read in parallel by formscan's own workers; Tesseract's OpenMP threads
    // inside each would only compete with them. The user's own setting wins.
    setenv("OMP_THREAD_LIMIT", "1", 0);
    const char* level = std::getenv("FORMSCAN_LOG_LEVEL");
    formscan::setup_logging(level && *level ? level : "warning");
    if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "help")) {
        std::cout << kUsage;
        return argc < 2 ? formscan::cli::kExitUsage : 0;
    }
    std::string command = argv[1];
    std::vector<std::string> args(argv + 2, argv + argc);
    try {
        if (command == "run") return formscan::cli::run_command(args);
        if (command == "plugins") return formscan::cli::plugins_command(args);
        if (command == "synth") return formscan::cli::synth_command(args);
        if (command == "eval") return formscan::cli::eval_command(args);
        if (command == "calibrate") return formscan::cli::calibrate_command(args);
        if (command == "export") return formscan::cli::export_command(args);
        if (command == "serve") return formscan::cli::serve_command(args);
        if (command == "print") return formscan::cli::print_command(args);
        if (command == "push") return formscan::cli::push_command(args);
        if (command == "users") return formscan::cli::users_command(args);
        if (command == "queue") return formscan::cli::queue_command(args);
        if (command == "worker") return formscan::cli::worker_command(args);
        if (command == "--version") {
            std::cout << "formscan 0.1.0 (plugin API FormscanV2)\n";
            return 0;
        }
        std::cerr << "formscan: unknown command \"" << command << "\"\n\n" << kUsage;
        return formscan::cli::kExitUsage;
    } catch (const formscan::Error& e) {
        std::cerr << "formscan " << command << ": " << formscan::mask_personal_data(e.what()) << "\n";
        return formscan::cli::kExitUsage;
    } catch (const std::exception& e) {
        std::cerr << "formscan " << command << ": [formscan.internal] " << formscan::mask_personal_data(e.what()) << "\n";
        return 1;
    }
}
