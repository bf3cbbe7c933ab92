"""The collection pages, one module per page group; collection/urls.py routes to each."""
