// The metrics Vicary exports: families by name, for the parts of the server that count things.
#pragma once

#include "metrics/Metrics.h"

namespace vicary::metrics {

/// Every family of /metrics. Labels are bounded: registry names from config, request kinds, methods, statuses,
/// cache results; never repositories or digests.
struct ServerMetrics {
    explicit ServerMetrics(Registry& registry);

    Registry& registry;
    /// vicary_requests_total{registry,kind,method,status}: client requests answered (kind: manifest, blob, tags,
    /// referrers, api, other).
    Family<Counter>& requests;
    /// vicary_request_duration_seconds{registry,kind}: time to answer a client request, body included.
    Family<Histogram>& requestSeconds;
    /// vicary_cache_results_total{registry,kind,result}: hit, miss, coalesced, stale, passthrough.
    Family<Counter>& cacheResults;
    /// vicary_served_bytes_total{registry,source}: body bytes sent to clients from the cache or from the upstream.
    Family<Counter>& servedBytes;
    /// vicary_upstream_requests_total{registry,method,status}: upstream answers, token realms included.
    Family<Counter>& upstreamRequests;
    /// vicary_upstream_errors_total{registry,kind}: requests with no answer (connect, timeout, protocol, redirects).
    Family<Counter>& upstreamErrors;
    /// vicary_upstream_retries_total{registry}.
    Family<Counter>& upstreamRetries;
    /// vicary_upstream_duration_seconds{registry}: time to an upstream response head.
    Family<Histogram>& upstreamSeconds;
    /// vicary_upstream_token_fetches_total{registry,result}: ok or refused.
    Family<Counter>& tokenFetches;
    /// vicary_upstream_ratelimit_remaining{registry}: Docker Hub's ratelimit-remaining, as last seen.
    Family<Gauge>& rateLimitRemaining;
    /// vicary_downloads_in_flight: blob downloads running.
    Family<Gauge>& downloadsInFlight;
    /// vicary_download_clients: clients streaming a download in progress.
    Family<Gauge>& downloadClients;
    /// vicary_cache_bytes / vicary_cache_objects: what the index holds.
    Family<Gauge>& cacheBytes;
    Family<Gauge>& cacheObjects;
    /// vicary_cache_evictions_total / vicary_cache_evicted_bytes_total.
    Family<Counter>& evictions;
    Family<Counter>& evictedBytes;
    /// vicary_cache_disk_full_total: writes to the cache that failed for lack of space.
    Family<Counter>& diskFull;
    /// vicary_http_header_timeouts_total: connections closed because no complete request head came in time.
    Family<Counter>& headerTimeouts;
    /// vicary_auth_failures_total{result}: failed client authentications ("failed") and requests refused while the
    /// address was locked out ("locked_out").
    Family<Counter>& authFailures;
};

}  // namespace vicary::metrics
