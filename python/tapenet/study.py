"""tapenet.study: the channel study (docs/STUDY.md) from Python, the same C++ code as tapenet-study.

    import tapenet as tn
    tn.study.presets()                       # {'default': '...', 'full': '...', 'smoke': '...'}
    result = tn.study.run("smoke", output="runs/smoke")
    result["summary"]["groups"][0]["test_accuracy"]     # {'mean': ..., 'std': ..., 'n': 1}
    tn.study.run({"variants": ["dense", "shared_max"], "networks": {"lenet5": {"epochs": 2}}},
                 output="runs/mine", threads=2)

Running again on the same output directory skips finished runs and resumes an interrupted one from
its checkpoint. Ctrl-C stops after the current epoch and raises KeyboardInterrupt.
"""

import json
import os

from . import _C

_study = _C._study


def presets():
    """The presets by name, each with what it is for and its expected run time."""
    return dict(_study.presets())


def _source(config_or_preset):
    """('preset' | 'file' | 'json', value) for a preset name, a JSON file path or a config dict."""
    if isinstance(config_or_preset, dict):
        return "json", json.dumps(config_or_preset)
    if isinstance(config_or_preset, os.PathLike):
        return "file", os.fspath(config_or_preset)
    if isinstance(config_or_preset, str):
        if config_or_preset in presets():
            return "preset", config_or_preset
        if config_or_preset.endswith(".json") or os.sep in config_or_preset:
            return "file", config_or_preset
        return "preset", config_or_preset  # an unknown name: ValueError listing the presets
    raise TypeError(
        "study: expected a preset name, a path to a JSON config or a config dict, got "
        + type(config_or_preset).__name__
    )


def config(config_or_preset):
    """The fully resolved configuration (a dict, every key present) of a preset, file or dict.

    Raises ValueError naming the key of a bad configuration, OSError for an unreadable file."""
    return json.loads(_study.config_json(*_source(config_or_preset)))


def run(config_or_preset="default", output=None, *, threads=0, data=None, plots=True, plot_script=None,
        progress="auto"):
    """Runs the study and returns a dict: output, runs, finished, already_done,
    skipped_combinations, interrupted, seconds, plot_note, and summary (summary.json).

    config_or_preset: a preset name (presets()), a path to a JSON config, or a config dict (the
    JSON format of docs/STUDY.md). output: the directory (default runs/study-<name>). threads: 0
    keeps the config's (0 there: all cores). data: the data set's directory (overrides the
    config's). plots: run scripts/study-plots (/usr/bin/python3 with matplotlib); plot_script
    replaces it. progress: 'auto', 'bar', 'log' or 'off' (written to the process's stdout).

    The GIL is released while the study runs. Raises ValueError for a bad configuration or an
    output directory holding another study, OSError for missing data or unwritable files."""
    kind, value = _source(config_or_preset)
    result = json.loads(_study.run(kind, value, "" if output is None else os.fspath(output), threads,
                        "" if data is None else os.fspath(data), plots,
                        "" if plot_script is None else os.fspath(plot_script), progress))
    with open(os.path.join(result["output"], "summary.json")) as f:
        result["summary"] = json.load(f)
    return result


__all__ = ["config", "presets", "run"]
