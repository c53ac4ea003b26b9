// Prometheus metrics: counters, gauges and histograms with bounded label sets, rendered in the text format.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace vicary::metrics {

using Labels = std::vector<std::string>;  ///< label values, in the family's label-name order

/// A monotonically increasing value. Thread-safe, lock-free.
class Counter {
public:
    void inc(std::uint64_t by = 1) noexcept { value_.fetch_add(by, std::memory_order_relaxed); }
    /// For a counter that mirrors another component's own monotonic count, set by a collector at scrape time.
    void mirror(std::uint64_t value) noexcept { value_.store(value, std::memory_order_relaxed); }
    std::uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};
};

/// A value that goes up and down. Thread-safe, lock-free.
class Gauge {
public:
    void set(std::int64_t value) noexcept { value_.store(value, std::memory_order_relaxed); }
    void add(std::int64_t by) noexcept { value_.fetch_add(by, std::memory_order_relaxed); }
    std::int64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::int64_t> value_{0};
};

/// Observations in fixed buckets (seconds). Thread-safe.
class Histogram {
public:
    explicit Histogram(std::vector<double> bounds);
    void observe(double value) noexcept;
    /// Cumulative counts per bound (the last is +Inf), the sum and the count.
    void snapshot(std::vector<std::uint64_t>& cumulative, double& sum, std::uint64_t& count) const;
    const std::vector<double>& bounds() const noexcept { return bounds_; }

private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // one per bound + 1 for +Inf
    std::atomic<double> sum_{0};                            // added to with compare-exchange: no lock per request
};

/// A number no other Family of this process has had or will have.
std::uint64_t nextFamilyId() noexcept;

/// A metric family: one name, one type, children by label values. Children are created on first use and live as long
/// as the registry; label values must come from bounded sets (registry names, methods, statuses), never from
/// repositories or digests.
template <class Child>
class Family {
public:
    Family(std::string name, std::string help, std::vector<std::string> labelNames,
           std::function<std::unique_ptr<Child>()> make)
        : name_(std::move(name)), help_(std::move(help)), labelNames_(std::move(labelNames)), make_(std::move(make))
    {
    }

    /// The child for `values` (as many as label names). Thread-safe. Children never go away, so each thread keeps
    /// the last few it looked up: a request's metrics then take no lock (the family mutex was shared by every request).
    Child& with(const Labels& values)
    {
        struct Remembered {
            std::uint64_t family = 0;  // id_ of the family, never reused, so a dead family's entries never match
            Labels values;
            Child* child = nullptr;
        };
        thread_local std::array<Remembered, 16> remembered;
        thread_local std::size_t next = 0;
        for (const Remembered& entry : remembered)
            if (entry.family == id_ && entry.values == values)
                return *entry.child;
        Child* found = nullptr;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            auto& child = children_[values];
            if (!child)
                child = make_();
            found = child.get();
        }
        remembered[next++ % remembered.size()] = Remembered{id_, values, found};
        return *found;
    }

    template <class Visit>
    void forEach(Visit visit) const
    {
        std::lock_guard<std::mutex> lock(mutex_);
        for (const auto& [labels, child] : children_)
            visit(labels, *child);
    }

    const std::string& name() const noexcept { return name_; }
    const std::string& help() const noexcept { return help_; }
    const std::vector<std::string>& labelNames() const noexcept { return labelNames_; }

private:
    std::string name_;
    std::string help_;
    std::vector<std::string> labelNames_;
    std::function<std::unique_ptr<Child>()> make_;
    const std::uint64_t id_ = nextFamilyId();
    mutable std::mutex mutex_;
    std::map<Labels, std::unique_ptr<Child>> children_;
};

/// Every metric of the server. Families are registered once at start-up; render() may run concurrently with
/// updates. Values computed at scrape time (cache size, in-flight downloads) come from collectors.
class Registry {
public:
    Family<Counter>& counter(const std::string& name, const std::string& help, std::vector<std::string> labelNames);
    Family<Gauge>& gauge(const std::string& name, const std::string& help, std::vector<std::string> labelNames);
    Family<Histogram>& histogram(const std::string& name, const std::string& help,
                                 std::vector<std::string> labelNames, std::vector<double> bounds);

    /// Runs before every render(), to set gauges from live state. Collectors must not throw.
    void addCollector(std::function<void()> collector);

    /// The Prometheus text exposition format (version 0.0.4).
    std::string render() const;

private:
    mutable std::mutex mutex_;
    std::vector<std::unique_ptr<Family<Counter>>> counters_;
    std::vector<std::unique_ptr<Family<Gauge>>> gauges_;
    std::vector<std::unique_ptr<Family<Histogram>>> histograms_;
    std::vector<std::function<void()>> collectors_;
};

/// Default latency buckets in seconds, from 5 ms to 60 s.
std::vector<double> latencyBuckets();

}  // namespace vicary::metrics
