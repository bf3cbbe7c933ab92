"""The reporting pages, one module per page group; reporting/urls.py routes to each."""
