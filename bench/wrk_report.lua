-- Prints one JSON line when wrk finishes: request count, duration, latency percentiles and errors.
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "mean_us": %.1f, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"errors": %d, "non2xx": %d}\n',
    summary.requests, summary.duration, latency.mean, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), errors, summary.errors.status))
end
