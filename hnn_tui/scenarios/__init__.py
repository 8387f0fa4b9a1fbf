"""The bundled lessons: TOML files read with importlib.resources (hnn_tui.engine.scenario)."""
