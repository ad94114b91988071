"""Home pages and the health check."""
