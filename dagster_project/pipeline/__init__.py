"""The runtime of a refresh, with no Dagster in it: the store (every path and the part
protocol), the inventory of raw/, the plan, parsing batches under guards in a process pool,
the refresh lock, and publishing. The Dagster assets are thin calls into `steps`."""
