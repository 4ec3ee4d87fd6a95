"""`make bench`: bulk data, the portal's pages measured against a floor, the sign-up rush and the
reminder fan-out (python -m bench --help; docs/perf.md)."""
