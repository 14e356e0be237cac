"""What a deployment tells its operators: request ids, structured logs and Prometheus metrics.

Plain Python (no Flask): the domain, the worker and the web layer all report through it.
"""
