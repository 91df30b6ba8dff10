#!/usr/bin/env python
"""Django's command-line utility; `meridian` (the console script) does the same."""

from meridian.cli import main

if __name__ == "__main__":
    main()
