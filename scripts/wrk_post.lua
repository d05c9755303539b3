-- wrk posts the same JSON body (WRK_BODY) to the URL with every request, the token given with -H: an API write that
-- a pipeline or a monitor repeats (bench_http.py's "POST" rows).
dofile(os.getenv("WRK_REPORT"))
wrk.method = "POST"
wrk.body = os.getenv("WRK_BODY")
wrk.headers["Content-Type"] = "application/json"
