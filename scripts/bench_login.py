"""Times one login request (Argon2id at the production cost) through the real app; prints figures.

Usage: .venv/bin/python scripts/bench_login.py [rounds]
"""
import statistics
import sys
import time

from benchkit import bench_app, logged_in

from mhhs.config import Config


def main(rounds):
    with bench_app(LOGIN_MAX_FAILURES=10**9) as app:
        timings = []
        for _ in range(rounds):
            start = time.perf_counter()
            logged_in(app)  # includes fetching the login page for its CSRF token
            timings.append((time.perf_counter() - start) * 1000)
        cost = f"time_cost={Config.ARGON2_TIME_COST}, memory_cost={Config.ARGON2_MEMORY_COST} KiB"
        print(f"login (GET form + POST, Argon2id {cost}), {rounds} rounds: "
              f"median {statistics.median(timings):.1f} ms, min {min(timings):.1f} ms, max {max(timings):.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
