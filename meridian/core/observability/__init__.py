"""Operations: request ids and structured logs, Prometheus metrics, and their wiring into background tasks.

- ``context``: the request id and task id of the work in progress (context variables).
- ``logs``: the filter that stamps them on every record, the JSON and text formats, ``logging_config``.
- ``middleware``: gives every request its id, writes the access log line and counts the request.
- ``metrics``: request counters and latencies, gauges supplied by apps through the registry, the ``/metrics``
  view (Prometheus text format, bearer-token protected), multi-process aggregation under gunicorn.
- ``tasks``: carries ids into background tasks (django-tasks signals).
- ``gunicorn``: the gunicorn configuration module ``meridian serve-all`` passes to the web server.
"""
