"""The counter's pages, one module per page group; confirmation/urls.py routes to each."""
