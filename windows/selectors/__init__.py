"""The windows' reads, one module per concern."""
