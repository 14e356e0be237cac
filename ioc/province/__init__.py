"""The province's configuration as data: the province pack, its checks, loading and export."""
