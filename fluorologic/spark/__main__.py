"""``python -m fluorologic.spark INPUT OUTPUT``: the Spark job (see :mod:`fluorologic.spark.job`)."""

import sys

from fluorologic.spark.job import main

if __name__ == "__main__":
    sys.exit(main())
