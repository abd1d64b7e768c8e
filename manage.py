#!/usr/bin/env python
"""Django's command-line utility for AicePS."""

from aiceps.cli import main

if __name__ == "__main__":
    main()
