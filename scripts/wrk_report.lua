-- Printed by wrk at the end of a run: the figures bench_http.py reads (latencies in microseconds).
done = function(summary, latency, requests)
  io.write(string.format("BENCH p50=%d p95=%d requests=%d seconds=%f non2xx=%d errors=%d\n",
    latency:percentile(50), latency:percentile(95), summary.requests, summary.duration / 1e6,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout))
end
