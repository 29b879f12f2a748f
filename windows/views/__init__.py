"""The windows' pages, one module per concern. Views stay thin: they call the services and
selectors."""
