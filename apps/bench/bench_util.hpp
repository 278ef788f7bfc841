#pragma once
// Timing and statistics for the benchmarks: medians of several runs, and every figure
// reported with its ratio to a named baseline measured in the same run.
#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace formscan::bench {

// Seconds taken by f().
double time_once(const std::function<void()>& f);
double median(std::vector<double> values);
double mean(const std::vector<double>& values);
double max_of(const std::vector<double>& values);

// `pages` synthetic 核对表 pages (A4, 300 dpi, PNG, all damage on) in DIR/scans, without
// their truth file; returns the folder.
std::string synth_pages(const std::string& dir, int pages, unsigned seed);

}  // namespace formscan::bench
