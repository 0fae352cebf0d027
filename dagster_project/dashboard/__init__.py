"""The analysts' dashboard: a read-only Streamlit app over the published warehouse.

`queries` and `detail` hold all its SQL (pure functions of a DuckDB connection, returning Polars
frames), `views/` the Streamlit pages, `app` the entry point, `launch.serve` starts it on
127.0.0.1, and `bench.page_query_times` times every page's queries. Nothing here writes the
warehouse or keeps a connection open between two requests, so a refresh is never blocked and
every request sees the latest publish.
"""
