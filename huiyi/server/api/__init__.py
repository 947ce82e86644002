"""Thin HTTP routers: parse, call one Huiyi method, map errors."""
