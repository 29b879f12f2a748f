"""What importing the matching app loads: the models read `Weights` from the engine, and
loading the app (every web process, every management command) must not pull in scipy or
scikit-learn through them or through the app's signal receivers."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Run in a fresh interpreter: in this one the test suite has imported the engine already.
# The last import shows the check sees scipy when something does load it.
PROBE = """
import json, sys
import django
django.setup()
import matching.models
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"scipy", "sklearn"})
import matching.engine.index
print(json.dumps({"heavy": heavy, "probe_sees_scipy": "scipy" in sys.modules}))
"""


def test_importing_matching_models_does_not_import_scipy():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "market.settings.test"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["probe_sees_scipy"]
    assert found["heavy"] == [], f"django.setup() and matching.models imported {found['heavy']}"
