"""Running at scale: streams, the pool, the batch runner.

Running at scale: reading streams of encounters (streaming, batch), solving chunks on a pool of worker
processes in input order (parallel) and the batch runner behind ``fluorologic solve`` (batchrun). Above the
engine.
"""
