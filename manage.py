#!/usr/bin/env python
"""Django's command-line utility; ``shuzhi`` is the same with a shorter name."""

from shuzhi.cli import main

if __name__ == "__main__":
    main()
