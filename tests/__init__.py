"""Cross-service tests (end-to-end, deploy checks) and the benchmarks of `make bench`."""
