"""The HTTP service.

The HTTP service (app): ``/v1/solve``, ``/v1/why``, ``/v1/scan`` and ``/healthz`` on FastAPI, with micro-batches
of concurrent requests. On top: uses the layers below, none uses it.
"""
