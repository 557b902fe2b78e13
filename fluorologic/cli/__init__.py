"""The command line.

The command line, one module per command group: ``main`` (the ``fluorologic`` group, ``solve``, ``schema``),
``explain`` (``why``, ``graph``), ``scan``, ``data``, ``rules``, ``serve``. On top.
"""
