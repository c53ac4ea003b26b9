#include "metrics/ServerMetrics.h"

namespace vicary::metrics {

ServerMetrics::ServerMetrics(Registry& r)
    : registry(r),
      requests(r.counter("vicary_requests_total", "Client requests answered.", {"registry", "kind", "method", "status"})),
      requestSeconds(r.histogram("vicary_request_duration_seconds", "Time to answer a client request, body included.",
                                 {"registry", "kind"}, latencyBuckets())),
      cacheResults(r.counter("vicary_cache_results_total",
                             "Cache results: hit, miss, coalesced (joined a download in progress), stale, passthrough.",
                             {"registry", "kind", "result"})),
      servedBytes(r.counter("vicary_served_bytes_total", "Body bytes sent to clients, by where they came from.",
                            {"registry", "source"})),
      upstreamRequests(r.counter("vicary_upstream_requests_total", "Upstream requests that got an answer.",
                                 {"registry", "method", "status"})),
      upstreamErrors(r.counter("vicary_upstream_errors_total", "Upstream requests that got no answer.",
                               {"registry", "kind"})),
      upstreamRetries(r.counter("vicary_upstream_retries_total", "Upstream requests tried again.", {"registry"})),
      upstreamSeconds(r.histogram("vicary_upstream_duration_seconds", "Time to an upstream response head.",
                                  {"registry"}, latencyBuckets())),
      tokenFetches(r.counter("vicary_upstream_token_fetches_total", "Tokens asked from registry token realms.",
                             {"registry", "result"})),
      rateLimitRemaining(r.gauge("vicary_upstream_ratelimit_remaining",
                                 "Pulls left in the upstream's rate-limit window, as it last said.", {"registry"})),
      downloadsInFlight(r.gauge("vicary_downloads_in_flight", "Blob downloads running, until stored.", {})),
      downloadClients(r.gauge("vicary_download_clients", "Clients streaming a blob download in progress.", {})),
      cacheBytes(r.gauge("vicary_cache_bytes", "Bytes of objects in the cache.", {})),
      cacheObjects(r.gauge("vicary_cache_objects", "Objects in the cache.", {})),
      evictions(r.counter("vicary_cache_evictions_total", "Objects evicted.", {})),
      evictedBytes(r.counter("vicary_cache_evicted_bytes_total", "Bytes evicted.", {})),
      diskFull(r.counter("vicary_cache_disk_full_total", "Cache writes that failed for lack of space.", {})),
      headerTimeouts(r.counter("vicary_http_header_timeouts_total",
                               "Connections closed because no complete request head came in time.", {})),
      authFailures(r.counter("vicary_auth_failures_total",
                             "Failed client authentications, and requests refused during a lockout.", {"result"}))
{
}

}  // namespace vicary::metrics
