"""coe: write, review and publish incident postmortems (COEs) kept as YAML in git."""

__version__ = "0.1.0"
