"""The API's routes, one module per resource; `create_app` puts each `router` under /v1."""
