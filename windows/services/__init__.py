"""The windows' writes, one module per concern."""
