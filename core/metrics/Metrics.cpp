#include "metrics/Metrics.h"

#include <cmath>
#include <iomanip>
#include <sstream>

namespace vicary::metrics {
namespace {

/// A label value escaped as the text format wants: backslash, double quote and newline.
std::string escaped(const std::string& value)
{
    std::string out;
    for (char c : value) {
        if (c == '\\' || c == '"')
            out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

std::string labelText(const std::vector<std::string>& names, const Labels& values, const std::string& extraName = {},
                      const std::string& extraValue = {})
{
    std::string text;
    for (std::size_t i = 0; i < names.size() && i < values.size(); ++i)
        text += (text.empty() ? "" : ",") + names[i] + "=\"" + escaped(values[i]) + "\"";
    if (!extraName.empty())
        text += (text.empty() ? "" : ",") + extraName + "=\"" + extraValue + "\"";
    return text.empty() ? "" : "{" + text + "}";
}

std::string number(double value)
{
    if (std::isinf(value))
        return value > 0 ? "+Inf" : "-Inf";
    std::ostringstream out;
    out << std::setprecision(17) << value;
    return out.str();
}

void header(std::ostringstream& out, const std::string& name, const std::string& help, const char* type)
{
    out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
}

}  // namespace

std::uint64_t nextFamilyId() noexcept
{
    static std::atomic<std::uint64_t> last{0};
    return ++last;
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(new std::atomic<std::uint64_t>[bounds_.size() + 1])
{
    for (std::size_t i = 0; i <= bounds_.size(); ++i)
        counts_[i].store(0);
}

void Histogram::observe(double value) noexcept
{
    std::size_t bucket = 0;
    while (bucket < bounds_.size() && value > bounds_[bucket])
        ++bucket;
    counts_[bucket].fetch_add(1, std::memory_order_relaxed);
    double sum = sum_.load(std::memory_order_relaxed);
    while (!sum_.compare_exchange_weak(sum, sum + value, std::memory_order_relaxed))
        ;
}

void Histogram::snapshot(std::vector<std::uint64_t>& cumulative, double& sum, std::uint64_t& count) const
{
    cumulative.assign(bounds_.size() + 1, 0);
    std::uint64_t running = 0;
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
        running += counts_[i].load(std::memory_order_relaxed);
        cumulative[i] = running;
    }
    count = running;
    sum = sum_.load(std::memory_order_relaxed);
}

Family<Counter>& Registry::counter(const std::string& name, const std::string& help,
                                   std::vector<std::string> labelNames)
{
    std::lock_guard<std::mutex> lock(mutex_);
    counters_.push_back(std::make_unique<Family<Counter>>(name, help, std::move(labelNames),
                                                          [] { return std::make_unique<Counter>(); }));
    return *counters_.back();
}

Family<Gauge>& Registry::gauge(const std::string& name, const std::string& help, std::vector<std::string> labelNames)
{
    std::lock_guard<std::mutex> lock(mutex_);
    gauges_.push_back(
        std::make_unique<Family<Gauge>>(name, help, std::move(labelNames), [] { return std::make_unique<Gauge>(); }));
    return *gauges_.back();
}

Family<Histogram>& Registry::histogram(const std::string& name, const std::string& help,
                                       std::vector<std::string> labelNames, std::vector<double> bounds)
{
    std::lock_guard<std::mutex> lock(mutex_);
    histograms_.push_back(std::make_unique<Family<Histogram>>(
        name, help, std::move(labelNames), [bounds] { return std::make_unique<Histogram>(bounds); }));
    return *histograms_.back();
}

void Registry::addCollector(std::function<void()> collector)
{
    std::lock_guard<std::mutex> lock(mutex_);
    collectors_.push_back(std::move(collector));
}

std::string Registry::render() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& collector : collectors_)
        collector();
    std::ostringstream out;
    for (const auto& family : counters_) {
        header(out, family->name(), family->help(), "counter");
        family->forEach([&](const Labels& labels, const Counter& counter) {
            out << family->name() << labelText(family->labelNames(), labels) << ' ' << counter.value() << '\n';
        });
    }
    for (const auto& family : gauges_) {
        header(out, family->name(), family->help(), "gauge");
        family->forEach([&](const Labels& labels, const Gauge& gauge) {
            out << family->name() << labelText(family->labelNames(), labels) << ' ' << gauge.value() << '\n';
        });
    }
    for (const auto& family : histograms_) {
        header(out, family->name(), family->help(), "histogram");
        family->forEach([&](const Labels& labels, const Histogram& histogram) {
            std::vector<std::uint64_t> cumulative;
            double sum = 0;
            std::uint64_t count = 0;
            histogram.snapshot(cumulative, sum, count);
            for (std::size_t i = 0; i < cumulative.size(); ++i) {
                const std::string bound =
                    i < histogram.bounds().size() ? number(histogram.bounds()[i]) : std::string("+Inf");
                out << family->name() << "_bucket" << labelText(family->labelNames(), labels, "le", bound) << ' '
                    << cumulative[i] << '\n';
            }
            out << family->name() << "_sum" << labelText(family->labelNames(), labels) << ' ' << number(sum) << '\n';
            out << family->name() << "_count" << labelText(family->labelNames(), labels) << ' ' << count << '\n';
        });
    }
    return out.str();
}

std::vector<double> latencyBuckets()
{
    return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

}  // namespace vicary::metrics
