"""`sentiment-rnn serve`: a run behind an HTTP API (FastAPI on uvicorn) and a page at `/`.

    settings.py     what `serve` can be told: limits, batching, threads, workers
    microbatch.py   dynamic micro-batching of concurrent requests
    api.py          reading request bodies within the limits; JSON errors that name the field
    app.py          the FastAPI app: /v1/predict, /v1/explain, /v1/health, /v1/model, /, /docs
    runner.py       uvicorn, with SIGTERM finishing the requests in flight, then exit 0
    static/         the page: plain HTML, CSS and JavaScript

fastapi and uvicorn come with the `serve` extra (`pip install -e ".[serve]"`).
"""
