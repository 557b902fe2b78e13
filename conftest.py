"""Collection of the package's doctests: the Spark integration's modules need ``fluorologic[spark]``."""

import importlib.util

collect_ignore_glob = [] if importlib.util.find_spec("pyspark") else ["fluorologic/spark/*.py"]
