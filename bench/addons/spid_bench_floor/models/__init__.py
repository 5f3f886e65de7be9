from . import spid_bench_floor
