"""The baseline of bench/gateway_profile.py: a bare FastAPI JSON endpoint, served by uvicorn in its own process
exactly as the gateway is (`uvicorn --app-dir bench gateway_bare:app --no-access-log`)."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/hello")
async def hello() -> dict[str, str]:
    return {"hello": "world"}
