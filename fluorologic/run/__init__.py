"""Running at scale: streams, the pool, the batch runner.

Running at scale: reading streams of encounters (streaming, batch), solving chunks on a pool of worker
processes in input order (parallel) and the batch runner behind ``fluorologic solve`` (batchrun). Above the
engine.
"""

#: Encounters a worker process solves before it is replaced by a fresh one (clingo frees its symbols only when
#: its process ends, so this bounds a worker's memory): the CLI's pool and Spark's engine processes. (On a cold
#: stream a worker that solved 8,192 reached 313-320 MB; with 6,144, at most 264 MB.)
RECYCLE_ENCOUNTERS = 6144
