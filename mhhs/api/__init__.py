"""The JSON API for delivery pipelines (/api/v1): personal tokens with scopes, over the same services as the pages."""
