import gc

from web import create_app

app = create_app()
# What start-up made (modules, the app, SQLAlchemy's mappers) lives as long as the process:
# kept out of the cyclic collector, a full collection no longer walks it. Measured on the
# programme page, in-process: 0.61 ms of collection per request before, 0.15 after
# (benchmarks/web_pages_bench.py does the same after its warm-up).
gc.freeze()
