"""The large-data benchmarks' sizes and fill: each domain's own fill at the sizes given on the command line
(kept apart from benchkit, which the fills import, so that no two scripts import each other)."""
import argparse

import bench_certificates
import bench_outages
import bench_rfcs


def at_scale():
    """The sizes of the large-data benchmarks (--rfcs, --outages, --certificates, --rounds) from the command line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rfcs", type=int, default=50_000)
    parser.add_argument("--outages", type=int, default=100_000)
    parser.add_argument("--certificates", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    return parser.parse_args()


def fill_at_scale(arguments):
    """The project's fill functions at those sizes (inside an app context)."""
    bench_rfcs.fill(arguments.rfcs)
    bench_outages.fill(arguments.outages)
    bench_certificates.fill(arguments.certificates)
    return f"{arguments.rfcs:,} RFCs, {arguments.outages:,} outages, {arguments.certificates:,} certificates"
